using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using RerankCluster.Grains.Reranking;
using RerankCluster.Inference;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;
using RerankCluster.Silo.Hosting;

namespace RerankCluster.ClusterTests;

/// <summary>An in-process cluster of two silos, plus the same default models loaded outside it for brute-force checks.</summary>
public sealed class TwoSiloCluster : IAsyncLifetime
{
    public const int Silos = 2;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public BiEncoder BiEncoder { get; private set; } = null!;

    public CrossEncoder CrossEncoder { get; private set; } = null!;

    /// <summary>A second cross-encoder the cluster serves besides the default: the int8 copy of the derived model.</summary>
    public string AllowedCrossEncoder { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var cache = new ModelStoreOptions().ResolveCacheDirectory();
        AllowedCrossEncoder = ReducedPrecisionModel.Ensure(DerivedTestCrossEncoder.Ensure(cache), cache, ModelPrecision.Int8).Directory;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["CrossEncoder:Allowed:0"] = AllowedCrossEncoder,
            })
            .Build();
        var builder = new InProcessTestClusterBuilder(Silos);
        builder.ConfigureSilo((_, silo) => silo.AddRerankCluster(configuration));
        Cluster = builder.Build();
        await DeployAsync(Cluster);

        var sessions = new OnnxSessionFactory(new OnnxRuntimeOptions());
        BiEncoder = new BiEncoder(ShippedMiniLm.Ensure(cache), sessions);
        CrossEncoder = new CrossEncoder(ModelResolver.DefaultCrossEncoder(cache), sessions);
    }

    /// <summary>Starts the cluster and waits until every silo sees every other one as a rerank (model) silo.</summary>
    public static async Task DeployAsync(InProcessTestCluster cluster)
    {
        await cluster.DeployAsync();
        // Placement trusts silo metadata (roles), which reaches each silo shortly after it joins.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (cluster.Silos.Any(s => ((InProcessSiloHandle)s).ServiceProvider.GetRequiredService<RerankSiloDirectory>().ActiveSilos().Count < cluster.Silos.Count)
               && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        BiEncoder.Dispose();
        CrossEncoder.Dispose();
        await Cluster.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class TwoSiloCollection : ICollectionFixture<TwoSiloCluster>
{
    public const string Name = "two-silo cluster";
}
