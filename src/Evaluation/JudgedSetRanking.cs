namespace RerankCluster.Evaluation;

/// <summary>
/// How a reranker orders each query's own judged passages, read alone (no stage 1): does a relevant
/// passage come first, and does one ever fall below a passage of a given kind (e.g. long irrelevant
/// text)? This is what a length-trap probe measures, where every query is judged against a short answer,
/// a short near miss and several long passages that do not answer.
/// </summary>
public static class JudgedSetRanking
{
    public sealed record Summary(int Queries, double RelevantFirst, double RelevantBelowTrap, IReadOnlyList<string> FailedQueries);

    /// <param name="scores">query id → (document id, score) for every judged document of that query.</param>
    /// <param name="isTrap">Which documents a relevant one must never fall below (by id).</param>
    public static Summary Summarise(IReadOnlyDictionary<string, IReadOnlyList<(string DocumentId, double Score)>> scores, Qrels qrels,
        Func<string, bool> isTrap)
    {
        int first = 0, belowTrap = 0, queries = 0;
        var failed = new List<string>();
        foreach (var (query, scored) in scores.OrderBy(q => q.Key, StringComparer.Ordinal))
        {
            var judged = qrels.For(query);
            var relevant = scored.Where(d => judged.TryGetValue(d.DocumentId, out var grade) && grade > 0).ToList();
            if (relevant.Count == 0 || relevant.Count == scored.Count)
            {
                continue; // nothing to order against
            }

            queries++;
            var best = scored.Max(d => d.Score);
            var bestIsRelevant = relevant.Any(d => d.Score == best) && scored.Count(d => d.Score == best) == 1;
            var worstRelevant = relevant.Min(d => d.Score);
            var trapped = scored.Any(d => isTrap(d.DocumentId) && !relevant.Contains(d) && d.Score >= worstRelevant);
            first += bestIsRelevant ? 1 : 0;
            belowTrap += trapped ? 1 : 0;
            if (!bestIsRelevant || trapped)
            {
                failed.Add(query);
            }
        }

        return queries == 0
            ? new Summary(0, 0, 0, failed)
            : new Summary(queries, Math.Round((double)first / queries, 6), Math.Round((double)belowTrap / queries, 6), failed);
    }
}
