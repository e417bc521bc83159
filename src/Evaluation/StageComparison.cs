namespace RerankCluster.Evaluation;

/// <summary>
/// Stage 1 against stage 2 on the same queries, as eval's report shows it: recall@k and success@k for
/// k = 1 … <see cref="CurveDepth"/>, how far stage 2 moved each query's first relevant document, and the
/// queries whose top k stage 2 fixed or broke.
/// </summary>
/// <param name="TopK">The k of <see cref="Fixed"/> and <see cref="Broken"/>: the results a search returns.</param>
public sealed record StageComparison(
    int TopK,
    MetricCurves Stage1Curves,
    MetricCurves Stage2Curves,
    RankChangeHistogram RankChange,
    IReadOnlyList<QueryRankChange> Fixed,
    IReadOnlyList<QueryRankChange> Broken)
{
    public const int CurveDepth = 50;

    /// <param name="stage1">Query id → documents in stage-1 order.</param>
    /// <param name="stage2">Query id → documents in the final (reranked) order.</param>
    public static StageComparison Compare(IReadOnlyList<BeirQuery> queries, IReadOnlyDictionary<string, IReadOnlyList<string>> stage1,
        IReadOnlyDictionary<string, IReadOnlyList<string>> stage2, Qrels qrels, int topK)
    {
        var changes = queries.Select(q => new QueryRankChange(q.Id, q.Text,
                RankingMetrics.FirstRelevantRank(stage1.GetValueOrDefault(q.Id) ?? [], qrels.For(q.Id)),
                RankingMetrics.FirstRelevantRank(stage2.GetValueOrDefault(q.Id) ?? [], qrels.For(q.Id))))
            .ToList();
        return new StageComparison(topK,
            MetricCurves.Of(stage1, qrels, CurveDepth),
            MetricCurves.Of(stage2, qrels, CurveDepth),
            RankChangeHistogram.Of(changes),
            changes.Where(c => c.FixedAt(topK)).ToList(),
            changes.Where(c => c.BrokeAt(topK)).ToList());
    }
}
