using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;
using RerankCluster.Inference.Simulation;
using RerankCluster.Silo.Hosting;

namespace RerankCluster.ClusterTests;

/// <summary>
/// Two silos on simulated accelerators, one ten times faster: once each has reported its speed, the
/// fast one scores most of the pairs (round robin would give each half).
/// </summary>
public sealed class LoadAwareDispatchTests
{
    private static readonly TimeSpan LivenessBound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_silo_ten_times_faster_is_dealt_most_of_the_pairs()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.GatewayPerSilo = false;
        var configured = 0;
        builder.ConfigureSilo((_, silo) => silo.AddRerankCluster(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Simulation:Enabled"] = "true",
            // One silo is 10 × faster than the other.
            ["Simulation:CrossEncoderTokensPerSecond"] = Interlocked.Increment(ref configured) == 1 ? "200000" : "20000",
            ["Simulation:CallOverhead"] = "00:00:00.001",
            ["Cache:Scores"] = "0",
            ["Cache:QueryEmbeddings"] = "0",
        }).Build()));
        await using var cluster = builder.Build();
        await TwoSiloCluster.DeployAsync(cluster);
        var pairs = cluster.Silos.ToDictionary(s => s.SiloAddress.ToParsableString(), _ => 0);
        foreach (var silo in cluster.Silos)
        {
            var address = silo.SiloAddress.ToParsableString();
            var batcher = (await ((InProcessSiloHandle)silo).ServiceProvider.GetRequiredService<ModelCatalog>().CrossEncoder(null)).Batcher;
            batcher.BatchCompleted += batch =>
            {
                lock (pairs)
                {
                    pairs[address] += batch.Rows;
                }
            };
        }

        var key = IndexKey.For("t", "dispatch");
        await cluster.Client.GetGrain<IIndexGrain>(key).Create(new IndexSettings(1));
        await cluster.Client.Upsert(key, SampleCorpus.Documents().ToArray());
        var query = cluster.Client.GetGrain<IQueryGrain>(0, key);
        string[] questions = ["capital of australia", "how do plants make food", "planets around other stars", "why is the sky blue"];
        for (var i = 0; i < 24; i++)
        {
            var response = await query.Search(new SearchRequest(questions[i % questions.Length] + $" ({i})", 3, 20)).WaitAsync(LivenessBound);
            Assert.Equal(3, response.Results.Length);
        }

        var speeds = cluster.Silos.ToDictionary(s => s.SiloAddress.ToParsableString(),
            s => ((InProcessSiloHandle)s).ServiceProvider.GetRequiredService<IOptions<SimulationOptions>>().Value.CrossEncoderTokensPerSecond);
        var fast = pairs[speeds.MaxBy(s => s.Value).Key];
        var slow = pairs[speeds.MinBy(s => s.Value).Key];
        Assert.Equal(10, speeds.Values.Max() / speeds.Values.Min());
        Assert.Equal(24 * 20, fast + slow);
        Assert.True(fast > 3 * slow, $"fast silo {fast} pairs, slow silo {slow}");
    }
}
