using RerankCluster.Cli.Corpus;
using RerankCluster.Client;
using RerankCluster.Cli.Hosting;

namespace RerankCluster.ClusterTests;

/// <summary>`rerank serve` in this process: a silo and the HTTP gateway on free loopback ports.</summary>
public sealed class EmbeddedGateway : IAsyncLifetime
{
    private EmbeddedCluster _cluster = null!;

    public HttpClient Http { get; private set; } = null!;

    public RerankClient Client => new(Http);

    public async Task InitializeAsync()
    {
        _cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true);
        Http = new HttpClient { BaseAddress = _cluster.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _cluster.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class EmbeddedGatewayCollection : ICollectionFixture<EmbeddedGateway>
{
    public const string Name = "embedded gateway";
}
