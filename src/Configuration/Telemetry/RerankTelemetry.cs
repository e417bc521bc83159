using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RerankCluster.Configuration.Telemetry;

/// <summary>
/// The meter and activity source every RerankCluster process reports through, and its instruments.
/// Exported as Prometheus (gateway <c>/metrics</c>, silo <c>Telemetry:PrometheusPort</c>) and OTLP.
/// </summary>
public static class RerankTelemetry
{
    public const string Name = "RerankCluster";

    /// <summary>Orleans' own sources: a span per grain call, so one trace follows a query across silos.</summary>
    public static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Milliseconds per stage of a search or rerank; tags: route, stage.</summary>
    public static readonly Histogram<double> StageDuration = Meter.CreateHistogram<double>(
        "rerank.stage.duration", "ms", "Time spent in each stage of a request (embed, stage1, queue, tokenize, inference, rerank, total).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000] });

    public static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "rerank.requests", "{request}", "Gateway requests; tags: route (the endpoint's pattern), status.");

    public static readonly Histogram<int> CandidatesPerQuery = Meter.CreateHistogram<int>(
        "rerank.candidates", "{candidate}", "Stage-1 candidates reranked per search.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 5, 10, 25, 50, 100, 250, 500, 1000] });

    public static readonly Histogram<int> BatchPairs = Meter.CreateHistogram<int>(
        "rerank.batch.pairs", "{pair}", "Pairs in one cross-encoder model call.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });

    public static readonly Histogram<long> BatchTokens = Meter.CreateHistogram<long>(
        "rerank.batch.tokens", "{token}", "Padded tokens (rows × longest row) in one cross-encoder model call.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [64, 256, 1024, 2048, 4096, 8192, 16384, 32768] });

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Func<long>> QueueDepths = new();

    /// <summary>Pairs waiting for a model call, per batcher (model on silo).</summary>
    public static readonly ObservableGauge<long> QueueDepth = Meter.CreateObservableGauge(
        "rerank.batcher.queue_depth",
        () => QueueDepths.Select(q => new Measurement<long>(q.Value(), new KeyValuePair<string, object?>("batcher", q.Key))),
        "{pair}", "Pairs waiting for a cross-encoder model call on each silo.");

    /// <summary>Adds a batcher to the queue-depth gauge; disposing the result removes it.</summary>
    public static IDisposable TrackQueue(string batcher, Func<long> depth)
    {
        QueueDepths[batcher] = depth;
        return new Untrack(batcher);
    }

    private sealed class Untrack(string batcher) : IDisposable
    {
        public void Dispose() => QueueDepths.TryRemove(batcher, out _);
    }

    public static readonly Counter<long> CancelledPairs = Meter.CreateCounter<long>(
        "rerank.batcher.cancelled_pairs", "{pair}",
        "Pairs dropped from a cross-encoder queue unscored because their request was cancelled (client gone, Rerank:Timeout); tag: model.");

    public static readonly Counter<long> CacheLookups = Meter.CreateCounter<long>(
        "rerank.cache.lookups", "{lookup}", "Cache lookups; tags: cache (query_embedding, score), result (hit, miss).");
}
