namespace RerankCluster.Bench;

/// <summary>
/// Floating-point work of a MiniLM-L6-H384 encoder (6 layers, hidden 384, feed-forward 1536), to turn
/// measured times into achieved GFLOP/s (set beside <see cref="FmaPeak"/>).
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
}
