using RerankCluster.Cli.Load;

namespace RerankCluster.Cli.Reliability;

/// <summary>What clients saw while a fault was injected under steady load.</summary>
/// <param name="SearchP99DuringMs">p99 of the answered searches sent while the fault lasted (from its injection to the end of a freeze).</param>
/// <param name="Failures">Failed requests grouped by kind, status and what the server said, most frequent first.</param>
public sealed record DrillResult(
    string Name, int Requests, int Failed, double FaultAtSeconds, double? FirstFailureSeconds, double? RecoverySeconds,
    IReadOnlyDictionary<string, int> Statuses, double P99BeforeMs, double P99AfterMs, int WritesAcknowledged, IReadOnlyList<string> AcknowledgedIds,
    IReadOnlyList<DrillFailure> Failures, double SearchP99DuringMs, double WriteP99DuringMs)
{
    public double SuccessRate => Requests == 0 ? 0 : 1 - (double)Failed / Requests;
}

/// <summary>
/// Runs open-loop load (searches and writes) against a cluster, injects a fault part-way, and measures
/// failed requests and the time from the fault until requests stop failing. Each write carries a new
/// document id, so what was acknowledged (200: stored; a 202 job is not yet) can be checked afterwards.
/// </summary>
/// <summary>Failed requests of one kind ("search", "upsert") that got the same status and the same answer.</summary>
public sealed record DrillFailure(string Kind, int Status, string Error, int Count);

public static class FaultDrill
{
    public sealed record Settings(double Rate, TimeSpan Duration, TimeSpan FaultAt, double WriteFraction = 0.2);

    public static async Task<DrillResult> RunAsync(string name, HttpClient http, string apiKey, string index, IReadOnlyList<string> queries,
        Settings settings, Func<Task> fault, TextWriter progress, CancellationToken ct)
    {
        var prefix = $"{name.ToLowerInvariant().Replace(' ', '-')}-";
        LoadRequest Next(int i)
        {
            var random = new Random(i * 7919 + 17);
            if (random.NextDouble() < settings.WriteFraction)
            {
                var id = prefix + i;
                return new LoadRequest("upsert", $"v1/indexes/{index}/documents",
                    new { documents = new[] { new { id, text = $"{queries[i % queries.Count]} (written during the {name} drill, request {i})" } } }, id);
            }

            return new LoadRequest("search", $"v1/indexes/{index}/search", new { query = queries[i % queries.Count], top_k = 5, candidates = 30 });
        }

        var runner = new LoadRunner(http, apiKey, Next, progress);
        var load = runner.OpenLoop(settings.Rate, settings.Duration, int.MaxValue, ct);
        await Task.Delay(settings.FaultAt, ct);
        progress.WriteLine($"  -- {name}: injecting the fault at {settings.FaultAt.TotalSeconds:F0} s");
        var injected = System.Diagnostics.Stopwatch.StartNew();
        await fault();
        var faultEnds = settings.FaultAt.TotalSeconds + injected.Elapsed.TotalSeconds;
        var result = await load;

        var samples = result.Samples;
        var faultAt = settings.FaultAt.TotalSeconds;
        var failed = samples.Where(s => s.Status is < 200 or >= 300).ToList();
        // Recovery: from the fault until the end of the last failed request; zero failures = zero.
        var lastFailureEnd = failed.Count == 0 ? (double?)null : failed.Max(s => s.StartSeconds + s.LatencyMs / 1000);
        var acknowledged = samples.Where(s => s.Kind == "upsert" && s.Status == 200 && s.Tag is not null).Select(s => s.Tag!).ToList();
        return new DrillResult(
            name, samples.Count, failed.Count, faultAt, failed.Count == 0 ? null : failed.Min(s => s.StartSeconds),
            lastFailureEnd is { } end ? Math.Max(0, end - faultAt) : 0,
            samples.GroupBy(s => s.Status.ToString()).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()),
            P99(samples.Where(s => s.StartSeconds < faultAt)), P99(samples.Where(s => s.StartSeconds > (lastFailureEnd ?? faultAt) + 1)),
            acknowledged.Count, acknowledged,
            failed.GroupBy(s => (s.Kind, s.Status, Error: s.Error ?? ""))
                .Select(g => new DrillFailure(g.Key.Kind, g.Key.Status, g.Key.Error, g.Count()))
                .OrderByDescending(f => f.Count)
                .ToList(),
            P99(samples.Where(s => s.Kind == "search" && s.StartSeconds >= faultAt && s.StartSeconds <= faultEnds)),
            P99(samples.Where(s => s.Kind == "upsert" && s.StartSeconds >= faultAt && s.StartSeconds <= faultEnds)));
    }

    private static double P99(IEnumerable<LoadSample> samples) =>
        Math.Round(Evaluation.LatencySummary.Of(samples.Where(s => s.Status is >= 200 and < 300).Select(s => s.LatencyMs).ToList()).P99, 1);
}
