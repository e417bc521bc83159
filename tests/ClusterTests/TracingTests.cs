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

        // Our own trace id, sent as a W3C traceparent: other tests search concurrently in this process.
        var traceId = ActivityTraceId.CreateRandom();
        using var search = new HttpRequestMessage(HttpMethod.Post, "v1/indexes/traced/search")
        {
            Content = JsonContent.Create(new { query = "how do traces follow requests", top_k = 1, candidates = 2 }),
        };
        search.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        await HttpAssert.Ok(await gateway.Http.SendAsync(search));

        // The server's span ends once the response is written, which may be just after the client has read it.
        var waited = Stopwatch.StartNew();
        while (!spans.Any(s => s.TraceId == traceId && s.Source.Name == "Microsoft.AspNetCore") && waited.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(10);
        }

        var trace = spans.Where(s => s.TraceId == traceId).ToList();
        Assert.Contains(trace, s => s.Source.Name == "Microsoft.AspNetCore");
        foreach (var stage in new[] { "embed query", "stage 1: scatter and merge", "stage 2: rerank" })
        {
            Assert.Contains(trace, s => s.Source.Name == RerankTelemetry.Name && s.DisplayName == stage);
        }

        Assert.Contains(trace, s => RerankTelemetry.OrleansSources.Contains(s.Source.Name) && s.DisplayName.Contains("IShardGrain", StringComparison.Ordinal));
        Assert.Contains(trace, s => RerankTelemetry.OrleansSources.Contains(s.Source.Name) && s.DisplayName.Contains("IRerankSiloGrain", StringComparison.Ordinal));
    }
}
