namespace RerankCluster.Grains.Interfaces;

/// <summary>
/// How a cross-encoder's raw logit reads as a probability. Here, beside the messages that carry logits,
/// so that the silos (search results) and the gateway (every rerank route) share one definition.
/// </summary>
public static class Logits
{
    /// <summary>The logistic sigmoid: strictly increasing, so ordering by it keeps the logits' order.</summary>
    public static double Probability(double logit) => 1.0 / (1.0 + Math.Exp(-logit));
}
