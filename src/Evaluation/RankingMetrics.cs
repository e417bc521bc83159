namespace RerankCluster.Evaluation;

/// <summary>
/// Per-query ranking metrics as trec_eval and BEIR compute them: binary relevance (grade above 0) for
/// recall, MRR and success; graded gain with a log2 discount for nDCG.
/// </summary>
public static class RankingMetrics
{
    public static double RecallAt(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judged, int k)
    {
        var relevant = judged.Count(j => j.Value > 0);
        return relevant == 0 ? 0 : (double)ranked.Take(k).Count(id => IsRelevant(judged, id)) / relevant;
    }

    public static double ReciprocalRankAt(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judged, int k)
    {
        for (var i = 0; i < Math.Min(k, ranked.Count); i++)
        {
            if (IsRelevant(judged, ranked[i]))
            {
                return 1.0 / (i + 1);
            }
        }

        return 0;
    }

    public static double SuccessAt(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judged, int k) =>
        ranked.Take(k).Any(id => IsRelevant(judged, id)) ? 1 : 0;

    public static double NdcgAt(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judged, int k)
    {
        var dcg = 0.0;
        for (var i = 0; i < Math.Min(k, ranked.Count); i++)
        {
            dcg += Gain(judged, ranked[i]) / Math.Log2(i + 2);
        }

        var ideal = judged.Values.Where(g => g > 0).OrderDescending().Take(k).Select((g, i) => g / Math.Log2(i + 2)).Sum();
        return ideal == 0 ? 0 : dcg / ideal;
    }

    /// <summary>Mean of every metric the evaluation reports, over the queries of a run.</summary>
    public static SortedDictionary<string, double> Summarise(IReadOnlyDictionary<string, IReadOnlyList<string>> run, Qrels qrels)
    {
        var metrics = new (string Name, Func<IReadOnlyList<string>, IReadOnlyDictionary<string, int>, double> Compute)[]
        {
            ("recall@1", (r, j) => RecallAt(r, j, 1)),
            ("recall@5", (r, j) => RecallAt(r, j, 5)),
            ("recall@10", (r, j) => RecallAt(r, j, 10)),
            ("recall@50", (r, j) => RecallAt(r, j, 50)),
            ("recall@100", (r, j) => RecallAt(r, j, 100)),
            ("mrr@10", (r, j) => ReciprocalRankAt(r, j, 10)),
            ("ndcg@10", (r, j) => NdcgAt(r, j, 10)),
            ("success@1", (r, j) => SuccessAt(r, j, 1)),
            ("success@5", (r, j) => SuccessAt(r, j, 5)),
        };
        var summary = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, compute) in metrics)
        {
            summary[name] = run.Count == 0 ? 0 : Math.Round(run.Average(q => compute(q.Value, qrels.For(q.Key))), 6);
        }

        return summary;
    }

    /// <summary>
    /// The mean of a cut-off metric over the queries of a run at every k from 1 to <paramref name="maxK"/>
    /// (element k − 1), rounded as <see cref="Summarise"/> rounds, so a curve's points equal the summary's.
    /// </summary>
    public static double[] MeanCurve(IReadOnlyDictionary<string, IReadOnlyList<string>> run, Qrels qrels,
        Func<IReadOnlyList<string>, IReadOnlyDictionary<string, int>, int, double> metric, int maxK) =>
        Enumerable.Range(1, maxK)
            .Select(k => run.Count == 0 ? 0 : Math.Round(run.Average(q => metric(q.Value, qrels.For(q.Key), k)), 6))
            .ToArray();

    /// <summary>1-based rank of the first relevant document in the list; null when none is in it.</summary>
    public static int? FirstRelevantRank(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> judged)
    {
        for (var i = 0; i < ranked.Count; i++)
        {
            if (IsRelevant(judged, ranked[i]))
            {
                return i + 1;
            }
        }

        return null;
    }

    private static bool IsRelevant(IReadOnlyDictionary<string, int> judged, string id) => Gain(judged, id) > 0;

    private static int Gain(IReadOnlyDictionary<string, int> judged, string id) =>
        judged.TryGetValue(id, out var grade) && grade > 0 ? grade : 0;
}
