namespace RerankCluster.Evaluation;

/// <summary>Median, tail and mean of a set of latencies (nearest-rank percentiles).</summary>
public sealed record LatencySummary(int Count, double Mean, double P50, double P90, double P99, double Max)
{
    public static LatencySummary Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0);
        }

        var sorted = values.Order().ToArray();
        double Percentile(double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencySummary(sorted.Length, Math.Round(sorted.Average(), 3), Percentile(50), Percentile(90), Percentile(99), sorted[^1]);
    }
}
