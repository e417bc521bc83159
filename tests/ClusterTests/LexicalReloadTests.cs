using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Silo.Hosting;

namespace RerankCluster.ClusterTests;

/// <summary>A shard's BM25 index is not stored: a new activation rebuilds it from the stored chunks.</summary>
public sealed class LexicalReloadTests
{
    [Fact]
    public async Task A_reactivated_shard_finds_by_BM25_what_its_store_holds_and_nothing_it_dropped()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Simulated models: this test is about the shard's lexical index.
            ["Simulation:Enabled"] = "true",
            ["Simulation:CallOverhead"] = "00:00:00",
        }).Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddRerankCluster(configuration));
        await using var cluster = builder.Build();
        await TwoSiloCluster.DeployAsync(cluster);
        var key = IndexKey.For("t", "reload");
        await cluster.Client.GetGrain<IIndexGrain>(key).Create(new IndexSettings(1, Replicas: 1));
        await cluster.Client.Upsert(key, [
            new DocumentInput("kept", "The sync daemon stops with ERR_7731 on read-only mounts."),
            new DocumentInput("replaced", "The printer queue stalls with ERR_4410."),
            new DocumentInput("deleted", "The backup job fails with ERR_5120."),
        ]);
        await cluster.Client.Upsert(key, [new DocumentInput("replaced", "The printer queue stalls with ERR_4411.")]);
        await cluster.Client.GetGrain<IIndexGrain>(key).DeleteDocument("deleted");
        var query = cluster.Client.GetGrain<IQueryGrain>(0, key);
        async Task<string[]> Found(string text) =>
            (await query.Search(new SearchRequest(text, 1, 5, Stage1: Stage1Mode.Lexical))).Results.Select(r => r.DocumentId).ToArray();

        // The shard's in-memory contents go; the next search activates it again, from the store.
        await cluster.Client.GetGrain<IShardGrain>(IndexKey.Shard(key, 0)).Forget();

        Assert.Equal(["kept"], await Found("ERR_7731"));
        Assert.Equal(["replaced"], await Found("ERR_4411"));
        Assert.Empty(await Found("ERR_4410"));
        Assert.Empty(await Found("ERR_5120"));
        Assert.Equal(2, (await cluster.Client.GetGrain<IIndexGrain>(key).Stats()).Sum(s => s.Documents));
    }
}
