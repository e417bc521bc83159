using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using RerankCluster.Configuration.Telemetry;

namespace RerankCluster.ClusterTests;

[Collection(EmbeddedGatewayCollection.Name)]
public sealed class TracingTests(EmbeddedGateway gateway)
{
    [Fact]
    public async Task One_search_is_one_trace_with_a_span_per_stage_and_grain_calls()
    {
        await HttpAssert.Ok(await gateway.Http.PutAsJsonAsync("v1/indexes/traced", new { shards = 2 }));
        await HttpAssert.Ok(await gateway.Http.PostAsJsonAsync("v1/indexes/traced/documents", new
        {
            documents = new[] { new { id = "t1", text = "Traces follow requests." }, new { id = "t2", text = "Spans nest." } },
        }));

        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RerankTelemetry.Name || RerankTelemetry.OrleansSources.Contains(source.Name)
                                       || source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);

        const string query = "how do traces follow requests";
        await HttpAssert.Ok(await gateway.Http.PostAsJsonAsync("v1/indexes/traced/search", new { query, top_k = 1, candidates = 2 }));

        var request = spans.Single(s => s.Source.Name == "Microsoft.AspNetCore" && s.DisplayName.Contains("/search", StringComparison.Ordinal));
        var trace = spans.Where(s => s.TraceId == request.TraceId).ToList();
        foreach (var stage in new[] { "embed query", "stage 1: scatter and merge", "stage 2: rerank" })
        {
            Assert.Contains(trace, s => s.Source.Name == RerankTelemetry.Name && s.DisplayName == stage);
        }

        Assert.Contains(trace, s => RerankTelemetry.OrleansSources.Contains(s.Source.Name) && s.DisplayName.Contains("IShardGrain", StringComparison.Ordinal));
        Assert.Contains(trace, s => RerankTelemetry.OrleansSources.Contains(s.Source.Name) && s.DisplayName.Contains("ICrossEncoderWorkerGrain", StringComparison.Ordinal));
    }
}
