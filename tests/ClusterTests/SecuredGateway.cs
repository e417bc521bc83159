using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RerankCluster.Cli.Hosting;
using RerankCluster.Inference.Models;

namespace RerankCluster.ClusterTests;

/// <summary>An embedded cluster with an admin key and small limits, for auth, tenancy and limit tests.</summary>
public sealed class SecuredGateway : IAsyncLifetime
{
    public const string AdminKey = "test-admin-key-0123456789";
    public const int MaxDocumentsPerRequest = 5;
    public const int MaxTextCharacters = 2000;
    public const int MaxRerankDocuments = 8;
    public const int MaxTopN = 6;
    public const int MaxRequestBodyBytes = 64 * 1024;
    public const int Burst = 15;

    /// <summary>Served by configuration, but never pulled (and Models:AutoPull is off): it cannot load.</summary>
    public const string NeverPulledModel = "acme/never-pulled-reranker";

    private EmbeddedCluster _cluster = null!;

    public Uri BaseAddress => _cluster.BaseAddress;

    public async Task InitializeAsync()
    {
        _cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true, settings: new Dictionary<string, string?>
        {
            ["Gateway:AdminKey"] = AdminKey,
            ["Limits:MaxDocumentsPerRequest"] = $"{MaxDocumentsPerRequest}",
            ["Limits:MaxTextCharacters"] = $"{MaxTextCharacters}",
            ["Limits:MaxRerankDocuments"] = $"{MaxRerankDocuments}",
            ["Limits:MaxTopN"] = $"{MaxTopN}",
            ["Limits:MaxRequestBodyBytes"] = $"{MaxRequestBodyBytes}",
            ["Limits:Burst"] = $"{Burst}",
            ["Limits:RequestsPerSecond"] = "1",
            ["CrossEncoder:Allowed:0"] = NeverPulledModel,
            [$"CrossEncoder:Aliases:{CohereAlias}"] = ModelResolver.DefaultCrossEncoderName,
            ["Models:AutoPull"] = "false",
        });
    }

    /// <summary>A name Cohere's clients hard-code, configured here as an alias of the default reranker.</summary>
    public const string CohereAlias = "rerank-v3.5";

    public Task DisposeAsync() => _cluster.DisposeAsync().AsTask();

    public HttpClient Client(string? key)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        // The server may refuse an oversized body before reading it: wait for its go-ahead, or the
        // refusal races the upload and the client sees a broken pipe instead of the 413.
        http.DefaultRequestHeaders.ExpectContinue = true;
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    /// <summary>Creates a tenant through the admin route and returns a client holding its key.</summary>
    public async Task<HttpClient> NewTenant(string tenant)
    {
        using var admin = Client(AdminKey);
        var response = await admin.PostAsJsonAsync("v1/tenants", new { tenant });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(tenant, body.RootElement.GetProperty("tenant").GetString());
        return Client(body.RootElement.GetProperty("api_key").GetString());
    }
}

[CollectionDefinition(Name)]
public sealed class SecuredGatewayCollection : ICollectionFixture<SecuredGateway>
{
    public const string Name = "secured gateway";
}
