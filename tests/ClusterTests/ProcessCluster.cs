using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RerankCluster.Cli.Hosting;

namespace RerankCluster.ClusterTests;

/// <summary>
/// The documented multi-process cluster (deploy/local/cluster.sh): a real redis-server on a free
/// loopback port, two silo processes and a gateway process, from this build's outputs.
/// </summary>
public sealed class ProcessCluster : IAsyncLifetime
{
    public const string AdminKey = "process-cluster-admin-key-0123";
    private static readonly string RepositoryRoot = FindRoot();

    public string RunDirectory { get; } = Directory.CreateTempSubdirectory("rerank-local-").FullName;

    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var ports = EmbeddedCluster.FreePorts();
        var redisPort = EmbeddedCluster.FreePorts().Http;
        var siloBase = EmbeddedCluster.FreePorts().Silo;
        // Silo i uses base + i: take two free ports apart so that base + 1 is unlikely to be taken.
        var output = await Script("start", "--silos", "2", "--http-port", $"{ports.Http}", "--redis-port", $"{redisPort}",
            "--silo-base-port", $"{siloBase}", "--gateway-base-port", $"{ports.Gateway}", "--configuration", Configuration, "--no-build");
        Assert.Contains("silos + gateway", output);
        BaseAddress = new Uri($"http://127.0.0.1:{ports.Http}/");
    }

    public async Task DisposeAsync()
    {
        await Script("stop");
        Directory.Delete(RunDirectory, recursive: true);
    }

    /// <summary>SIGKILLs silo <paramref name="index"/>: no goodbye to the cluster, as in a crash.</summary>
    public void KillSilo(int index)
    {
        var pid = int.Parse(File.ReadAllText(Path.Combine(RunDirectory, $"silo-{index}.pid")).Trim());
        Process.GetProcessById(pid).Kill();
    }

    public async Task<HttpClient> NewTenant(string tenant)
    {
        using var admin = new HttpClient { BaseAddress = BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var created = await HttpAssert.Ok(await admin.PostAsJsonAsync("v1/tenants", new { tenant }));
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.GetProperty("api_key").GetString());
        return client;
    }

    private static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    private async Task<string> Script(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot, "deploy", "local", "cluster.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments.Append("--dir").Append(RunDirectory))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["RERANK_ADMIN_KEY"] = AdminKey;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(4));
        var text = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"cluster.sh {arguments[0]} failed: {text}\n{Logs()}");
        return text;
    }

    public string Logs() => string.Join('\n', Directory.GetFiles(RunDirectory, "*.log")
        .Select(f => $"--- {Path.GetFileName(f)}\n{string.Join('\n', File.ReadLines(f).TakeLast(30))}"));

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RerankCluster.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("RerankCluster.sln not found above the test binaries.");
    }
}
