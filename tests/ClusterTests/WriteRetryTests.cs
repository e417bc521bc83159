using Microsoft.Extensions.Configuration;
using Orleans.Runtime;
using Orleans.TestingHost;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Silo.Hosting;

namespace RerankCluster.ClusterTests;

/// <summary>
/// An upsert slice whose shard write meets a silo leaving is written again: here the first shard write of
/// the test's index stores the documents and then answers as if its silo had left (the acknowledgement
/// lost), so the retry finds them stored and must still not count them as replaced.
/// </summary>
public sealed class WriteRetryTests
{
    [Theory]
    [InlineData("00:00:30", true)]
    [InlineData("00:00:00", false)]
    public async Task A_shard_write_that_met_a_departing_silo_is_written_again_within_the_window(string window, bool succeeds)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Simulation:Enabled"] = "true",
            ["Simulation:CallOverhead"] = "00:00:00",
            ["Indexing:WriteRetryWindow"] = window,
        }).Build();
        var builder = new InProcessTestClusterBuilder(1);
        var index = $"retry-{Guid.NewGuid():N}";
        builder.ConfigureSilo((_, silo) => silo.AddRerankCluster(configuration)
            .AddIncomingGrainCallFilter(new LostAcknowledgement(IndexKey.For("t", index))));
        await using var cluster = builder.Build();
        await TwoSiloCluster.DeployAsync(cluster);
        var key = IndexKey.For("t", index);
        await cluster.Client.GetGrain<IIndexGrain>(key).Create(new IndexSettings(1, Replicas: 1));
        var documents = new[] { new DocumentInput("a", "The violin has four strings."), new DocumentInput("b", "Bread rises with yeast.") };

        var job = cluster.Client.GetGrain<IIngestJobGrain>(IngestJobKey.For(key, IngestJobKey.NewId()));
        if (!succeeds)
        {
            await Assert.ThrowsAsync<SiloUnavailableException>(() => job.Start(documents));
            return;
        }

        var status = await job.Start(documents);
        while (!status.Finished)
        {
            status = await job.Wait(TimeSpan.FromSeconds(5));
        }

        Assert.True(status.State == IngestJobState.Succeeded, string.Join("; ", status.Errors));
        Assert.Equal(2, status.Stored);
        Assert.Equal(0, status.Replaced);
        Assert.NotNull(await cluster.Client.GetGrain<IQueryGrain>(0, key).GetDocument("a"));
    }

    /// <summary>Runs the first shard upsert of one index, then throws as a lost silo would.</summary>
    private sealed class LostAcknowledgement(string indexKey) : IIncomingGrainCallFilter
    {
        private int _upserts;

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            await context.Invoke();
            if (context.InterfaceMethod?.Name == nameof(IShardGrain.Upsert) &&
                context.TargetId.Key.ToString()!.StartsWith(indexKey, StringComparison.Ordinal) &&
                Interlocked.Increment(ref _upserts) == 1)
            {
                throw new SiloUnavailableException("simulated: the silo left before it answered");
            }
        }
    }
}
