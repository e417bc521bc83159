namespace RerankCluster.Retrieval;

/// <summary>
/// Gathers per-shard hit lists into the global top N. Ties break on a stable key, so the same
/// corpus gives the same candidates whatever order the shards answer in.
/// </summary>
public static class CandidateMerger
{
    public static List<T> Merge<T>(IEnumerable<IEnumerable<T>> shardHits, int n, Func<T, float> score, Func<T, string> tieBreaker)
    {
        if (n < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), "n must not be negative.");
        }

        return shardHits
            .SelectMany(hits => hits)
            .OrderByDescending(score)
            .ThenBy(tieBreaker, StringComparer.Ordinal)
            .Take(n)
            .ToList();
    }
}
