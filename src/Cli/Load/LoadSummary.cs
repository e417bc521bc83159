using RerankCluster.Evaluation;

namespace RerankCluster.Cli.Load;

/// <summary>What a load run achieved: throughput, client-side latency percentiles, errors by status, server-side stage times.</summary>
public sealed record LoadSummary(
    string Mode,
    double OfferedRate,
    int Clients,
    int Requests,
    int Dropped,
    double DurationSeconds,
    double AchievedQps,
    LatencySummary Latency,
    Dictionary<string, int> Statuses,
    Dictionary<string, int> Kinds,
    LatencySummary ServerTotalMs,
    LatencySummary ServerInferenceMs,
    LatencySummary ServerQueueMs)
{
    public int Errors => Statuses.Where(s => !s.Key.StartsWith('2')).Sum(s => s.Value);

    public static LoadSummary Of(LoadRunner.Result result, string mode, int clients)
    {
        var samples = result.Samples;
        var ok = samples.Where(s => s.Status is >= 200 and < 300).ToList();
        return new LoadSummary(
            mode,
            result.OfferedRate,
            clients,
            samples.Count,
            result.Dropped,
            Math.Round(result.Wall.TotalSeconds, 3),
            Math.Round(ok.Count / result.Wall.TotalSeconds, 3),
            LatencySummary.Of(ok.Select(s => Math.Round(s.LatencyMs, 2)).ToList()),
            samples.GroupBy(s => s.Status == 0 ? "connection-error" : s.Status.ToString()).ToDictionary(g => g.Key, g => g.Count()),
            samples.GroupBy(s => s.Kind).ToDictionary(g => g.Key, g => g.Count()),
            LatencySummary.Of(ok.Where(s => s.ServerTotalMs.HasValue).Select(s => s.ServerTotalMs!.Value).ToList()),
            LatencySummary.Of(ok.Where(s => s.ServerInferenceMs.HasValue).Select(s => s.ServerInferenceMs!.Value).ToList()),
            LatencySummary.Of(ok.Where(s => s.ServerQueueMs.HasValue).Select(s => s.ServerQueueMs!.Value).ToList()));
    }

    public void Print(TextWriter output)
    {
        output.WriteLine($"{Mode}: {Requests} requests in {DurationSeconds:F1} s, {AchievedQps:F2} successful req/s" +
                         (OfferedRate > 0 ? $" (offered {OfferedRate:F2}/s, dropped {Dropped})" : $" ({Clients} clients)"));
        output.WriteLine($"  latency ms  p50 {Latency.P50:F0}  p90 {Latency.P90:F0}  p99 {Latency.P99:F0}  max {Latency.Max:F0}");
        output.WriteLine($"  statuses    {string.Join("  ", Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}");
        output.WriteLine($"  server ms   total p50 {ServerTotalMs.P50:F0} p99 {ServerTotalMs.P99:F0} | inference p50 {ServerInferenceMs.P50:F0} | queue p50 {ServerQueueMs.P50:F0} p99 {ServerQueueMs.P99:F0}");
    }
}
