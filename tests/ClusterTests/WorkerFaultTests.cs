using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Reranking;
using RerankCluster.Silo.Hosting;

namespace RerankCluster.ClusterTests;

/// <summary>
/// A cross-encoder worker that hangs or throws on one micro-batch (injected by a grain call filter
/// on the worker, the way a stuck GPU or a crashing kernel would look): the query ends within
/// Rerank:Timeout with a clear error, or degrades to stage-1 order and says so, as configured.
/// </summary>
public sealed class WorkerFaultTests
{
    private const string HangMarker = "HANG-ME";
    private const string FailMarker = "FAIL-ME";
    private const string HoldMarker = "HOLD-ME";
    private static readonly TimeSpan LivenessBound = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData(HangMarker)]
    [InlineData(FailMarker)]
    public async Task Fail_mode_ends_the_query_with_an_error_that_names_the_cause(string marker)
    {
        await using var cluster = await Start("Fail");
        var query = await Index(cluster, marker);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => query.Search(new SearchRequest("capital of australia", 3, 8)).WaitAsync(LivenessBound));

        if (marker == HangMarker)
        {
            Assert.IsType<TimeoutException>(error);
            Assert.Contains("Rerank:Timeout", error.Message);
        }
        else
        {
            Assert.IsType<RerankFailedException>(error);
            Assert.Contains("InvalidOperationException", error.Message);
        }
    }

    [Theory]
    [InlineData(HangMarker)]
    [InlineData(FailMarker)]
    public async Task Stage1Order_mode_answers_in_stage_1_order_and_marks_the_response(string marker)
    {
        await using var cluster = await Start("Stage1Order");
        var query = await Index(cluster, marker);

        var response = await query.Search(new SearchRequest("capital of australia", 3, 8)).WaitAsync(LivenessBound);

        Assert.NotNull(response.Degraded);
        Assert.Contains(marker == HangMarker ? "Rerank:Timeout" : "InvalidOperationException", response.Degraded);
        Assert.Equal(3, response.Results.Length);
        Assert.Equal(response.Results.Select(r => r.Score).OrderByDescending(s => s), response.Results.Select(r => r.Score));
    }

    [Fact]
    public async Task A_search_the_client_cancels_cancels_its_micro_batches_on_the_rerank_silo()
    {
        // Rerank:Timeout far away: only the client's cancellation can reach the held batch.
        await using var cluster = await Start("Fail", timeout: "00:02:00");
        var query = await Index(cluster, HoldMarker);
        using var client = new CancellationTokenSource();

        var search = query.Search(new SearchRequest("capital of australia", 3, 8), client.Token);
        await InjectedWorkerFault.Holding.Task.WaitAsync(LivenessBound);
        await client.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => search.WaitAsync(LivenessBound));
        await InjectedWorkerFault.HoldCancelled.Task.WaitAsync(LivenessBound);
    }

    private static async Task<IQueryGrain> Index(InProcessTestCluster cluster, string marker)
    {
        var key = IndexKey.For("t", "faulty");
        var index = cluster.Client.GetGrain<IIndexGrain>(key);
        await index.Create(new IndexSettings(1));
        var documents = SampleCorpus.Documents().Take(7).ToList();
        documents.Add(new DocumentInput("faulty", $"Canberra is the capital of Australia. {marker}"));
        await cluster.Client.Upsert(key, documents.ToArray());
        return cluster.Client.GetGrain<IQueryGrain>(0, key);
    }

    private static async Task<InProcessTestCluster> Start(string onFailure, string timeout = "00:00:03")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rerank:Timeout"] = timeout,
            ["Rerank:OnFailure"] = onFailure,
            ["Cache:Scores"] = "0",
        }).Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddRerankCluster(configuration).AddIncomingGrainCallFilter<InjectedWorkerFault>());
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class InjectedWorkerFault : IIncomingGrainCallFilter
    {
        public static TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static TaskCompletionSource HoldCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.Grain is RerankSiloGrain && context.Request.GetArgument(0) is RerankBatch batch)
            {
                if (batch.Passages.Any(p => p.Contains(HoldMarker, StringComparison.Ordinal)) &&
                    context.Request.GetCancellationToken() is { CanBeCanceled: true } cancellation)
                {
                    // Held until the call's token says the query is gone, as a batch queued behind others would be.
                    using var registration = cancellation.Register(() => HoldCancelled.TrySetResult());
                    Holding.TrySetResult();
                    await HoldCancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
                    cancellation.ThrowIfCancellationRequested();
                }

                if (batch.Passages.Any(p => p.Contains(HangMarker, StringComparison.Ordinal)))
                {
                    // Far past Rerank:Timeout, yet finite: a silo waits for running calls when it shuts down.
                    await Task.Delay(TimeSpan.FromSeconds(20));
                }

                if (batch.Passages.Any(p => p.Contains(FailMarker, StringComparison.Ordinal)))
                {
                    throw new InvalidOperationException("injected worker fault");
                }
            }

            await context.Invoke();
        }
    }
}
