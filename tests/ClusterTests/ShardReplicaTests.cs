using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Storage;
using RerankCluster.Silo.Hosting;

namespace RerankCluster.ClusterTests;

/// <summary>
/// Three silos, each shard in two replicas on distinct silos: writes reach both, and when a silo hosting
/// shards stops answering (hung or cut off, while membership still counts it active), searches still see
/// every document, and every document can be read: each shard is asked through its other replica after the hedging delay.
/// </summary>
public sealed class ShardReplicaTests
{
    private static readonly TimeSpan LivenessBound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Writes_reach_every_replica_and_searches_see_every_document_while_a_silo_hosting_shards_hangs()
    {
        // Micro-batches sent to the hung silo move on soon (the shards are what this test is about).
        var configuration = SimulatedModels(("Rerank:BatchAttemptTimeout", "00:00:01"));
        var builder = new InProcessTestClusterBuilder(3);
        // The client talks to the first silo only, which is never the one killed.
        builder.Options.GatewayPerSilo = false;
        // One store for all three silos, as Redis is for separate processes: a replica loads what replica 0 stored.
        var store = new InMemoryShardStore();
        builder.ConfigureSilo((_, silo) => silo.AddRerankCluster(configuration)
            .ConfigureServices(s => s.AddSingleton<IShardStore>(store))
            .AddIncomingGrainCallFilter<HungSilo>());
        await using var cluster = builder.Build();
        await TwoSiloCluster.DeployAsync(cluster);
        const int shards = 4;
        var key = IndexKey.For("t", "replicas");
        var info = await cluster.Client.GetGrain<IIndexGrain>(key).Create(new IndexSettings(shards));
        Assert.Equal(2, info.Replicas);
        var documents = SampleCorpus.Documents().ToArray();
        await cluster.Client.Upsert(key, documents);
        var deleted = documents[0].Id;
        Assert.True(await cluster.Client.GetGrain<IIndexGrain>(key).DeleteDocument(deleted));

        // Both replicas of every shard hold the same documents, on distinct silos.
        var replicas = await Task.WhenAll(Enumerable.Range(0, shards).SelectMany(i => new[] { 0, 1 }
            .Select(r => cluster.Client.GetGrain<IShardGrain>(IndexKey.Replica(key, i, r)).Stats())));
        foreach (var shard in replicas.GroupBy(s => s.Shard))
        {
            Assert.Single(shard.Select(s => s.Documents).Distinct());
            Assert.Equal(2, shard.Select(s => s.Silo).Distinct().Count());
        }

        Assert.Equal(documents.Length - 1, replicas.Where((_, n) => n % 2 == 0).Sum(s => s.Documents));

        var query = cluster.Client.GetGrain<IQueryGrain>(0, key);
        var everything = new SearchRequest("how do plants make food", 5, 10, Stage1Depth: documents.Length);
        var before = await query.Search(everything).WaitAsync(LivenessBound);
        Assert.Equal(documents.Length - 1, before.Stage1.Select(h => h.DocumentId).Distinct().Count());

        var victim = cluster.Silos.Skip(1).First(s => replicas.Any(r => r.Silo == s.SiloAddress.ToParsableString()));
        HungSilo.Address = victim.SiloAddress.ToParsableString();

        for (var i = 0; i < 5; i++)
        {
            var after = await query.Search(everything with { Query = $"question {i} about stars and planets" }).WaitAsync(LivenessBound);
            Assert.Equal(before.Stage1.Select(h => h.DocumentId).Order(), after.Stage1.Select(h => h.DocumentId).Distinct().Order());
            Assert.DoesNotContain(deleted, after.Stage1.Select(h => h.DocumentId));
        }

        // A document read is hedged too: every stored document is found, the deleted one is not.
        var read = await Task.WhenAll(documents.Select(d => query.GetDocument(d.Id))).WaitAsync(LivenessBound);
        Assert.Equal(documents.Skip(1).Select(d => d.Id), read.Skip(1).Select(d => d!.DocumentId));
        Assert.Null(read[0]);

        HungSilo.Released.SetResult();
    }

    [Fact]
    public async Task A_replica_that_missed_an_acknowledged_write_reloads_before_it_serves_again()
    {
        var configuration = SimulatedModels();
        var builder = new InProcessTestClusterBuilder(2);
        var store = new InMemoryShardStore();
        builder.ConfigureSilo((_, silo) => silo.AddRerankCluster(configuration)
            .ConfigureServices(s => s.AddSingleton<IShardStore>(store))
            .AddIncomingGrainCallFilter<LostForwards>());
        await using var cluster = builder.Build();
        await TwoSiloCluster.DeployAsync(cluster);
        const int shards = 2;
        var key = IndexKey.For("t", "stale-replica");
        Assert.Equal(2, (await cluster.Client.GetGrain<IIndexGrain>(key).Create(new IndexSettings(shards))).Replicas);
        var documents = SampleCorpus.Documents().ToArray();
        await cluster.Client.Upsert(key, documents[..10]);
        var replicas = Enumerable.Range(0, shards)
            .Select(i => (Primary: cluster.Client.GetGrain<IShardGrain>(IndexKey.Replica(key, i, 0)), Copy: cluster.Client.GetGrain<IShardGrain>(IndexKey.Replica(key, i, 1))))
            .ToArray();
        foreach (var (primary, copy) in replicas)
        {
            Assert.Equal((await primary.Stats()).Documents, (await copy.Stats()).Documents);
        }

        // Every forward to a replica is lost; the writes are still acknowledged (the store and replica 0 have them).
        LostForwards.Enabled = true;
        var added = documents[10..14];
        await cluster.Client.Upsert(key, added);
        var deleted = documents[0].Id;
        Assert.True(await cluster.Client.GetGrain<IIndexGrain>(key).DeleteDocument(deleted));
        Assert.True(LostForwards.Lost > 0);
        LostForwards.Enabled = false;

        // With no write since, each copy serves what was acknowledged: the added documents and not the deleted one.
        var ids = added.Select(d => d.Id).Append(deleted).ToArray();
        foreach (var (primary, copy) in replicas)
        {
            Assert.Equal(await primary.Existing(ids), await copy.Existing(ids));
        }

        Assert.Equal(added.Select(d => d.Id).Order(), (await Task.WhenAll(replicas.Select(r => r.Copy.Existing(ids)))).SelectMany(x => x).Order());
        foreach (var (_, copy) in replicas)
        {
            Assert.Null(await copy.Get(deleted));
            Assert.Null(await store.StaleMark(IndexKey.Shard(key, Array.IndexOf(replicas.Select(r => r.Copy).ToArray(), copy)), 1));
        }
    }

    [Fact]
    public async Task A_search_entered_by_a_new_key_answers_while_the_index_grain_stalls_if_its_silo_read_the_settings_before()
    {
        var configuration = SimulatedModels();
        var builder = new InProcessTestClusterBuilder(2);
        // Every query activation on the one silo the client enters by, so that silo has read the settings before.
        builder.Options.GatewayPerSilo = false;
        builder.ConfigureSilo((_, silo) => silo.AddRerankCluster(configuration).AddIncomingGrainCallFilter<StalledIndex>());
        await using var cluster = builder.Build();
        await TwoSiloCluster.DeployAsync(cluster);
        var key = IndexKey.For("t", "stalled-index");
        await cluster.Client.GetGrain<IIndexGrain>(key).Create(new IndexSettings(2));
        var documents = SampleCorpus.Documents().ToArray();
        await cluster.Client.Upsert(key, documents);
        var request = new SearchRequest("how do plants make food", 3, 10);
        var before = await cluster.Client.GetGrain<IQueryGrain>(0, key).Search(request).WaitAsync(LivenessBound);

        StalledIndex.Enabled = true;
        for (var entry = 1; entry <= 4; entry++)
        {
            var after = await cluster.Client.GetGrain<IQueryGrain>(entry, key).Search(request).WaitAsync(LivenessBound);
            Assert.Equal(before.Results.Select(r => r.DocumentId), after.Results.Select(r => r.DocumentId));
        }

        Assert.True(StalledIndex.Held > 0, "no settings read reached the index grain while it stalled");
        StalledIndex.Released.SetResult();
    }

    [Fact]
    public async Task A_replica_0_superseded_by_a_newer_writer_stores_nothing_and_leaves_so_the_retry_reaches_a_fresh_writer()
    {
        var store = new InMemoryShardStore();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddRerankCluster(SimulatedModels()).ConfigureServices(s => s.AddSingleton<IShardStore>(store)));
        await using var cluster = builder.Build();
        await TwoSiloCluster.DeployAsync(cluster);
        var key = IndexKey.For("t", "fenced");
        await cluster.Client.GetGrain<IIndexGrain>(key).Create(new IndexSettings(1));
        await cluster.Client.Upsert(key, SampleCorpus.Documents().Take(1).ToArray());
        var shardKey = IndexKey.Shard(key, 0);
        var stored = (await store.Load(shardKey)).Single();
        var late = new DocumentChunks("late", stored.Chunks.Select(c => c with { DocumentId = "late" }).ToArray());

        // Another activation claimed the shard, as one does after this one's silo stalled and was declared dead.
        await store.ClaimWriter(shardKey, "a newer activation");
        var writer = cluster.Client.GetGrain<IShardGrain>(IndexKey.Replica(key, 0, 0));
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => writer.Upsert([late], 1).WaitAsync(LivenessBound));
        Assert.True(ClusterChurn.Is(refused), $"a fenced write must be retryable churn, got {refused}");
        Assert.DoesNotContain("late", (await store.Load(shardKey)).Select(d => d.DocumentId));

        // The superseded activation left: the same write, retried, activates a writer that claims the shard afresh.
        await writer.Upsert([late], 1).WaitAsync(LivenessBound);
        Assert.Contains("late", (await store.Load(shardKey)).Select(d => d.DocumentId));
        Assert.NotNull(await writer.Get("late"));
    }

    /// <summary>While enabled, holds every read of an index's settings until the test releases them.</summary>
    private sealed class StalledIndex : IIncomingGrainCallFilter
    {
        public static volatile bool Enabled;
        private static int _held;

        public static int Held => Volatile.Read(ref _held);

        public static TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (Enabled && context.InterfaceMethod.DeclaringType == typeof(IIndexGrain) && context.InterfaceMethod.Name == nameof(IIndexGrain.Get))
            {
                Interlocked.Increment(ref _held);
                await Released.Task;
            }

            await context.Invoke();
        }
    }

    /// <summary>Simulated models and no caches: these tests are about shards, and stay light on several silos.</summary>
    private static IConfiguration SimulatedModels(params (string Key, string Value)[] more) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Simulation:Enabled"] = "true",
            ["Simulation:CallOverhead"] = "00:00:00",
            ["Cache:Scores"] = "0",
            ["Cache:QueryEmbeddings"] = "0",
        }.Concat(more.Select(m => KeyValuePair.Create(m.Key, (string?)m.Value)))).Build();

    /// <summary>While enabled, every write forwarded to a shard replica fails before it is applied.</summary>
    private sealed class LostForwards : IIncomingGrainCallFilter
    {
        public static volatile bool Enabled;
        private static int _lost;

        public static int Lost => Volatile.Read(ref _lost);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (Enabled && context.InterfaceMethod.Name == nameof(IShardGrain.Apply))
            {
                Interlocked.Increment(ref _lost);
                throw new TimeoutException("The forwarded write was lost (test fault).");
            }

            return context.Invoke();
        }
    }

    /// <summary>Holds every grain call that reaches the hung silo until the test releases them.</summary>
    private sealed class HungSilo(ILocalSiloDetails silo) : IIncomingGrainCallFilter
    {
        public static string? Address { get; set; }

        public static TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (silo.SiloAddress.ToParsableString() == Address)
            {
                await Released.Task;
            }

            await context.Invoke();
        }
    }
}
