using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace RerankCluster.Cli.Hosting;

/// <summary>
/// The documented multi-process cluster (deploy/local/cluster.sh) driven from C#: a real redis-server
/// on a free loopback port, N silo processes and a gateway process from this build's outputs, and
/// the script's fault verbs (kill or start a silo, stop, kill or start Redis).
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly string _root;
    private readonly string _adminKey;
    private readonly IReadOnlyDictionary<string, string> _environment;
    // One client for every readiness poll: a drill polls every half second for minutes.
    private readonly HttpClient _readiness;

    private LocalCluster(string root, string runDirectory, Uri baseAddress, string adminKey, int siloBasePort, int redisPort,
        IReadOnlyDictionary<string, string> environment)
    {
        _environment = environment;
        RedisPort = redisPort;
        _root = root;
        RunDirectory = runDirectory;
        BaseAddress = baseAddress;
        _adminKey = adminKey;
        SiloBasePort = siloBasePort;
        _readiness = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string RunDirectory { get; }

    public Uri BaseAddress { get; }

    /// <summary>The loopback port of the cluster's redis-server.</summary>
    public int RedisPort { get; }

    /// <summary>Silo i listens on this port + i.</summary>
    public int SiloBasePort { get; }

    /// <param name="configuration">Which build's outputs run (the script does not build: build first).</param>
    /// <param name="environment">Settings every process gets (e.g. <c>Simulation__Enabled</c>).</param>
    /// <param name="siloEnvironment">Settings for silo i only, or null.</param>
    public static async Task<LocalCluster> StartAsync(int silos, string adminKey, string configuration, CancellationToken ct = default,
        IReadOnlyDictionary<string, string>? environment = null, Func<int, IReadOnlyDictionary<string, string>?>? siloEnvironment = null)
    {
        var root = RepositoryRoot.Find();
        var run = Directory.CreateTempSubdirectory("rerank-local-").FullName;
        for (var i = 0; i < silos; i++)
        {
            WriteSiloEnvironment(run, i, siloEnvironment?.Invoke(i));
        }

        var ports = EmbeddedCluster.FreePorts();
        var redisPort = EmbeddedCluster.FreePorts().Http;
        // Silo i uses base + i: take a free port as the base, so base + 1, + 2 are unlikely to be taken.
        var siloBase = EmbeddedCluster.FreePorts().Silo;
        var cluster = new LocalCluster(root, run, new Uri($"http://127.0.0.1:{ports.Http}/"), adminKey, siloBase, redisPort,
            environment ?? new Dictionary<string, string>());
        await cluster.Script(ct, "start", "--silos", $"{silos}", "--http-port", $"{ports.Http}", "--redis-port", $"{redisPort}",
            "--silo-base-port", $"{siloBase}", "--gateway-base-port", $"{ports.Gateway}", "--configuration", configuration, "--no-build");
        return cluster;
    }

    public Task KillSiloAsync(int index) => Script(default, "kill-silo", $"{index}");

    /// <summary>SIGTERM: the silo leaves the cluster gracefully (its grains deactivate, membership is told).</summary>
    public Task StopSiloAsync(int index) => Script(default, "stop-silo", $"{index}");

    /// <summary>SIGSTOP: the process stays, its connections stay open, and nothing answers (a stalled node).</summary>
    public Task FreezeSiloAsync(int index) => Script(default, "freeze-silo", $"{index}");

    public Task ThawSiloAsync(int index) => Script(default, "thaw-silo", $"{index}");

    /// <param name="environment">Settings for this silo only, or null.</param>
    public Task StartSiloAsync(int index, IReadOnlyDictionary<string, string>? environment = null)
    {
        WriteSiloEnvironment(RunDirectory, index, environment);
        return Script(default, "start-silo", $"{index}");
    }

    /// <summary>
    /// Until the gateway counts exactly <paramref name="silos"/> active silos (a killed one counts until
    /// membership declares it dead), then a moment more: roles travel as silo metadata, which reaches every
    /// member shortly after it joins.
    /// </summary>
    /// <exception cref="TimeoutException">Not within 3 minutes.</exception>
    public async Task WaitForActiveSilosAsync(int silos, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (await ActiveSilosAsync(ct) == silos)
            {
                await Task.Delay(TimeSpan.FromSeconds(3), ct);
                return;
            }

            await Task.Delay(500, ct);
        }

        throw new TimeoutException($"The gateway did not count {silos} active silos within 3 minutes.\n{Logs()}");
    }

    /// <summary>How many active silos the gateway counts now; null while it is not ready (e.g. mid rolling restart).</summary>
    public async Task<int?> ActiveSilosAsync(CancellationToken ct = default)
    {
        using var ready = await _readiness.GetAsync("readyz", ct);
        return ready.IsSuccessStatusCode && (await ready.Content.ReadFromJsonAsync<JsonElement>(ct)).TryGetProperty("active_silos", out var active)
            ? active.GetInt32()
            : null;
    }

    /// <summary>Whether silo <paramref name="index"/>'s process is running (a silo told it was declared dead stops itself).</summary>
    public bool IsSiloRunning(int index)
    {
        var path = Path.Combine(RunDirectory, $"silo-{index}.pid");
        if (!File.Exists(path) || !int.TryParse(File.ReadAllText(path).Trim(), out var pid))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Process ids of the gateway and the silos that are running now.</summary>
    public IReadOnlyList<int> ServiceProcessIds() => Directory.GetFiles(RunDirectory, "*.pid")
        .Where(f => Path.GetFileName(f) is var name && (name.StartsWith("silo-", StringComparison.Ordinal) || name == "gateway.pid"))
        .Select(f => int.TryParse(File.ReadAllText(f).Trim(), out var pid) ? pid : 0)
        .Where(pid => pid > 0)
        .ToList();

    private static void WriteSiloEnvironment(string runDirectory, int index, IReadOnlyDictionary<string, string>? environment)
    {
        var path = Path.Combine(runDirectory, $"silo-{index}.env");
        if (environment is null)
        {
            File.Delete(path);
            return;
        }

        File.WriteAllLines(path, environment.Select(e => $"{e.Key}={e.Value}"));
    }

    public Task StopRedisAsync() => Script(default, "stop-redis");

    /// <summary>SIGKILL: no shutdown, no final flush of the append-only file.</summary>
    public Task KillRedisAsync() => Script(default, "kill-redis");

    public Task StartRedisAsync() => Script(default, "start-redis");

    /// <summary>Changes a setting of the running redis-server (CONFIG SET); a restart brings back the script's own.</summary>
    public async Task ConfigureRedisAsync(string name, string value)
    {
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{RedisPort},allowAdmin=true");
        await redis.GetServer($"127.0.0.1:{RedisPort}").ConfigSetAsync(name, value);
    }

    /// <summary>The silo address (host:port) silo <paramref name="index"/> reports in responses.</summary>
    public string SiloEndpoint(int index) => $"127.0.0.1:{SiloBasePort + index}";

    public async Task<HttpClient> NewTenantAsync(string tenant, CancellationToken ct = default)
    {
        using var admin = new HttpClient { BaseAddress = BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _adminKey);
        var response = await admin.PostAsJsonAsync("v1/tenants", new { tenant }, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"creating tenant {tenant} answered {(int)response.StatusCode}: {body}");
        }

        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonDocument.Parse(body).RootElement.GetProperty("api_key").GetString());
        return client;
    }

    /// <summary>The last lines of every process's log, for failure messages.</summary>
    public string Logs() => string.Join('\n', Directory.GetFiles(RunDirectory, "*.log")
        .Select(f => $"--- {Path.GetFileName(f)}\n{string.Join('\n', File.ReadLines(f).TakeLast(30))}"));

    /// <summary>Leave the run directory (every process's log) in place when the cluster stops.</summary>
    public bool KeepRunDirectory { get; set; }

    public async ValueTask DisposeAsync()
    {
        _readiness.Dispose();
        await Script(default, "stop");
        if (KeepRunDirectory)
        {
            Console.WriteLine($"logs kept in {RunDirectory}");
        }
        else
        {
            Directory.Delete(RunDirectory, recursive: true);
        }
    }

    private async Task<string> Script(CancellationToken ct, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(_root, "deploy", "local", "cluster.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments.Append("--dir").Append(RunDirectory))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["RERANK_ADMIN_KEY"] = _adminKey;
        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(4), ct);
        var text = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"cluster.sh {arguments[0]} failed: {text}\n{Logs()}");
        }

        return text;
    }
}
