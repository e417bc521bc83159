namespace RerankCluster.Retrieval;

/// <summary>
/// Interpolation of second- and first-stage scores over one query's candidates: each score list is
/// min-max normalised to [0, 1] within the list (a logit and a cosine have no common scale), then
/// <c>(1 − w) · rerank + w · stage1</c>. With w = 0 the order is the reranker's; with w = 1 stage 1's; in
/// between a reranker out of its domain can reorder only where stage 1 is unsure.
/// </summary>
public static class ScoreFusion
{
    public static double[] Interpolate(IReadOnlyList<float> rerank, IReadOnlyList<float> stage1, double stage1Weight)
    {
        if (rerank.Count != stage1.Count)
        {
            throw new ArgumentException($"Both stages must score the same candidates ({rerank.Count} vs {stage1.Count}).");
        }

        if (stage1Weight is < 0 or > 1 || double.IsNaN(stage1Weight))
        {
            throw new ArgumentOutOfRangeException(nameof(stage1Weight), stage1Weight, "The stage-1 weight must be between 0 and 1.");
        }

        var a = MinMax(rerank);
        var b = MinMax(stage1);
        var fused = new double[rerank.Count];
        for (var i = 0; i < fused.Length; i++)
        {
            fused[i] = (1 - stage1Weight) * a[i] + stage1Weight * b[i];
        }

        return fused;
    }

    /// <summary>Scores mapped to [0, 1]; a list whose scores are all equal maps to zeros (it orders nothing).</summary>
    private static double[] MinMax(IReadOnlyList<float> scores)
    {
        if (scores.Count == 0)
        {
            return [];
        }

        double min = scores.Min(), max = scores.Max();
        var span = max - min;
        return scores.Select(s => span > 0 ? (s - min) / span : 0).ToArray();
    }
}
