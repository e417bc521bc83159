namespace RerankCluster.Retrieval;

/// <summary>
/// Fuses two rankings of one query's candidates (dense and lexical) into one. Reciprocal rank fusion reads
/// ranks only, so it needs no common scale (Cormack et al. 2009); the linear combination min-max normalises
/// each list first (a cosine and a BM25 score have none). An item in one list only gets nothing from the
/// other. Ties break on the key, so the result does not depend on which list an item came from first.
/// </summary>
public static class RankFusion
{
    public const int DefaultRrfK = 60;

    /// <summary>score(d) = Σ over the rankings that hold d of 1 / (k + rank), ranks from 1; best first.</summary>
    public static List<(T Item, double Score)> Reciprocal<T>(IReadOnlyList<IReadOnlyList<T>> rankings, int k, Func<T, string> key)
    {
        if (k <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "The RRF constant k must be above 0.");
        }

        return Fuse(rankings.Select(ranking => ranking.Select((item, rank) => (item, 1.0 / (k + rank + 1)))), key);
    }

    /// <summary>
    /// score(d) = (1 − w) · minmax(dense score) + w · minmax(lexical score), each list normalised over its own
    /// hits (all-equal scores map to 1: the list found them and cannot order them); best first.
    /// </summary>
    public static List<(T Item, double Score)> Linear<T>(IReadOnlyList<T> dense, IReadOnlyList<T> lexical, double lexicalWeight,
        Func<T, float> score, Func<T, string> key)
    {
        if (lexicalWeight is < 0 or > 1 || double.IsNaN(lexicalWeight))
        {
            throw new ArgumentOutOfRangeException(nameof(lexicalWeight), lexicalWeight, "The lexical weight must be between 0 and 1.");
        }

        return Fuse([Normalised(dense, score, 1 - lexicalWeight), Normalised(lexical, score, lexicalWeight)], key);
    }

    private static IEnumerable<(T Item, double Score)> Normalised<T>(IReadOnlyList<T> hits, Func<T, float> score, double weight)
    {
        if (hits.Count == 0)
        {
            return [];
        }

        double min = hits.Min(score), max = hits.Max(score);
        return hits.Select(hit => (hit, weight * (max > min ? (score(hit) - min) / (max - min) : 1)));
    }

    private static List<(T Item, double Score)> Fuse<T>(IEnumerable<IEnumerable<(T Item, double Score)>> contributions, Func<T, string> key)
    {
        var fused = new Dictionary<string, (T Item, double Score)>(StringComparer.Ordinal);
        foreach (var (item, score) in contributions.SelectMany(list => list))
        {
            var id = key(item);
            fused[id] = fused.TryGetValue(id, out var seen) ? (seen.Item, seen.Score + score) : (item, score);
        }

        return fused
            .OrderByDescending(entry => entry.Value.Score)
            .ThenBy(entry => entry.Key, StringComparer.Ordinal)
            .Select(entry => entry.Value)
            .ToList();
    }
}
