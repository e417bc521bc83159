namespace RerankCluster.Bench;

/// <summary>
/// Floating-point work of a MiniLM-L6-H384 encoder (6 layers, hidden 384, feed-forward 1536) and this
/// machine's rough fp32 peak, to put achieved GFLOP/s in proportion.
/// </summary>
public static class ComputeModel
{
    private const int Layers = 6;
    private const int Hidden = 384;
    private const int FeedForward = 1536;

    /// <summary>Multiply-adds counted twice: projections and feed-forward per token, attention per token pair.</summary>
    public static double Flops(int rows, int width) =>
        rows * (width * 2.0 * Layers * (4.0 * Hidden * Hidden + 2.0 * Hidden * FeedForward)
                + 2.0 * Layers * 2.0 * width * (double)width * Hidden);

    /// <summary>Cores × clock × 32 fp32 FLOP per cycle (one 512-bit FMA); a rough ceiling, not a promise.</summary>
    public static double PeakGflops()
    {
        var mhz = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").Where(l => l.StartsWith("cpu MHz", StringComparison.Ordinal))
                .Select(l => double.TryParse(l.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0)
                .DefaultIfEmpty(2500).Max()
            : 2500;
        return Environment.ProcessorCount * Math.Max(mhz, 1000) / 1000.0 * 32;
    }
}
