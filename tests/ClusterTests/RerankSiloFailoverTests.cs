using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Reranking;
using RerankCluster.Silo.Hosting;

namespace RerankCluster.ClusterTests;

/// <summary>
/// Two silos, one whose cross-encoder worker throws on every micro-batch (a broken device, while
/// membership still counts the silo active): its batches are scored on the other silo, and the next
/// query sends it nothing.
/// </summary>
public sealed class RerankSiloFailoverTests
{
    private static readonly TimeSpan LivenessBound = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_micro_batch_whose_silo_fails_is_scored_on_another_and_the_failed_silo_gets_no_work_right_after()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            // No score cache, so every query reaches the silos (each is dealt a part of every query while both are healthy).
            ["Cache:Scores"] = "0",
        }).Build();
        var builder = new InProcessTestClusterBuilder(2);
        // Only the first silo takes client calls, so both queries run on it and share its view of failed silos.
        builder.Options.GatewayPerSilo = false;
        builder.ConfigureSilo((_, silo) => silo.AddRerankCluster(configuration).AddIncomingGrainCallFilter<BrokenSilo>());
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var broken = cluster.Silos[1].SiloAddress.ToParsableString();
        BrokenSilo.Address = broken;
        await WaitForRerankSilos(cluster);
        var key = IndexKey.For("t", "failover");
        await cluster.Client.GetGrain<IIndexGrain>(key).Create(new IndexSettings(1));
        await cluster.Client.Upsert(key, SampleCorpus.Documents().Take(8).ToArray());
        var query = cluster.Client.GetGrain<IQueryGrain>(0, key);

        var first = await query.Search(new SearchRequest("capital of australia", 3, 8)).WaitAsync(LivenessBound);

        Assert.Null(first.Degraded);
        Assert.Equal(3, first.Results.Length);
        Assert.True(BrokenSilo.Calls > 0, "the broken silo was never dealt a micro-batch");
        Assert.DoesNotContain(broken, first.Timings.Rerank.Silos);

        BrokenSilo.Calls = 0;
        var second = await query.Search(new SearchRequest("how do plants make food", 3, 8)).WaitAsync(LivenessBound);

        Assert.Null(second.Degraded);
        Assert.Equal(0, BrokenSilo.Calls);
        Assert.DoesNotContain(broken, second.Timings.Rerank.Silos);
    }

    private static async Task WaitForRerankSilos(InProcessTestCluster cluster)
    {
        // Dispatch trusts silo metadata (roles), which reaches each silo shortly after it joins.
        var directory = ((InProcessSiloHandle)cluster.Silos[0]).ServiceProvider.GetRequiredService<RerankSiloDirectory>();
        var deadline = DateTime.UtcNow + LivenessBound;
        while (directory.ActiveSilos().Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    private sealed class BrokenSilo(ILocalSiloDetails silo) : IIncomingGrainCallFilter
    {
        private static int _calls;

        public static string? Address { get; set; }

        public static int Calls
        {
            get => Volatile.Read(ref _calls);
            set => Volatile.Write(ref _calls, value);
        }

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.Grain is RerankSiloGrain && silo.SiloAddress.ToParsableString() == Address)
            {
                Interlocked.Increment(ref _calls);
                throw new InvalidOperationException("injected device fault");
            }

            return context.Invoke();
        }
    }
}
