using System.Net.Http.Json;
using System.Text.Json;
using RerankCluster.Cli.Hosting;

namespace RerankCluster.ClusterTests;

/// <summary>
/// The real npm clients (tests/clients: cohere-ai v1 and v2, the AI SDK, LangChain, LlamaIndex, versions pinned in its
/// package-lock.json) against an embedded gateway with keys: `npm ci` when node_modules is missing, then `node --test`.
/// The gateway's tenant rate is small enough for the 429 tests to use up a second tenant's.
/// </summary>
public sealed class NpmClientTests : IAsyncLifetime
{
    private const string AdminKey = "npm-admin-key-0123456789";
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);

    /// <summary>A test of each client and each behaviour; every one must be reported "ok".</summary>
    private static readonly string[] ExpectedTests =
    [
        "v1 rerank of strings: top_n, return_documents, best first",
        "v1 rerank of objects with rank_fields returns the caller's fields",
        "v2 rerank (CohereClientV2, POST /v2/rerank)",
        "v1 error: the message carries the server's detail",
        "v2 error: the message carries the server's detail",
        "rerank() ranks the answer first and returns the documents reordered",
        "rerank() error: e.message is the server's message, not only the status text",
        "compressDocuments keeps the best topN with their relevance scores",
        "compressDocuments error: the message carries the server's detail",
        "postprocessNodes keeps the best topN, scored",
        "postprocessNodes error: the message carries the server's detail",
        "cohere-ai v1 waits out Retry-After",
        "cohere-ai v2 waits out Retry-After",
        "AI SDK rerank() waits out Retry-After",
        "LangChain CohereRerank waits out Retry-After",
    ];

    private EmbeddedCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true, settings: new Dictionary<string, string?>
        {
            ["Gateway:AdminKey"] = AdminKey,
            ["Limits:RequestsPerSecond"] = "1",
            ["Limits:Burst"] = "40",
        });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task The_real_npm_clients_rerank_surface_errors_and_honour_Retry_After()
    {
        var clients = Path.Combine(ChildProcess.RepositoryRoot(), "tests", "clients");
        if (!Directory.Exists(Path.Combine(clients, "node_modules")))
        {
            var install = await Run("npm", ["ci", "--no-audit", "--no-fund"], clients, new Dictionary<string, string>());
            Assert.True(install.ExitCode == 0, $"npm ci failed:\n{install.Output}");
        }

        using var admin = new HttpClient { BaseAddress = _cluster.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        var ready = await admin.GetFromJsonAsync<JsonElement>("readyz");
        var environment = new Dictionary<string, string>
        {
            ["RERANK_URL"] = _cluster.BaseAddress.ToString(),
            ["RERANK_API_KEY"] = await NewTenantKey(admin, "npm"),
            ["RERANK_LIMITED_API_KEY"] = await NewTenantKey(admin, "npm-limited"),
            ["RERANK_MODEL"] = ready.GetProperty("models").GetProperty("cross_encoder").GetString()!,
        };

        var run = await Run("node", ["--test"], clients, environment);

        Assert.True(run.ExitCode == 0, $"node --test exited with {run.ExitCode}:\n{run.Output}");
        var passed = run.Output.Split('\n').Where(line => line.TrimStart().StartsWith("ok ", StringComparison.Ordinal)).ToList();
        foreach (var name in ExpectedTests)
        {
            Assert.True(passed.Any(line => line.EndsWith($" - {name}", StringComparison.Ordinal)), $"'{name}' did not pass:\n{run.Output}");
        }

        Assert.Contains("# fail 0", run.Output);
    }

    private static async Task<string> NewTenantKey(HttpClient admin, string tenant)
    {
        var response = await admin.PostAsJsonAsync("v1/tenants", new { tenant });
        var body = await HttpAssert.Ok(response);
        return body.GetProperty("api_key").GetString()!;
    }

    private static Task<(int ExitCode, string Output)> Run(string program, string[] arguments, string directory,
        IReadOnlyDictionary<string, string> environment) =>
        ChildProcess.RunAsync(program, arguments, directory, environment, NpmTimeout, "tests/run installs Debian's nodejs and npm.");
}
