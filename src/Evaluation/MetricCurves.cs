namespace RerankCluster.Evaluation;

/// <summary>Mean recall@k and success@k of one run for k = 1 … <c>Recall.Length</c> (element k − 1).</summary>
public sealed record MetricCurves(double[] Recall, double[] Success)
{
    public static MetricCurves Of(IReadOnlyDictionary<string, IReadOnlyList<string>> run, Qrels qrels, int maxK) => new(
        RankingMetrics.MeanCurve(run, qrels, RankingMetrics.RecallAt, maxK),
        RankingMetrics.MeanCurve(run, qrels, RankingMetrics.SuccessAt, maxK));
}
