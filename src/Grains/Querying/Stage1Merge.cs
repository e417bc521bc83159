using RerankCluster.Grains.Interfaces;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Querying;

/// <summary>
/// Gathers the shards' lists into one stage-1 ranking. Each mode's lists are merged over shards by score:
/// cosines are comparable as they are, and BM25 scores are too because every shard scored with the
/// index-wide counts (<see cref="ShardQuery.Statistics"/>), not its own IDF, so the merge equals what
/// one shard holding everything would return. Hybrid then fuses the two merged lists, so a chunk's fused
/// rank is its rank over the whole index, not over its shard.
/// </summary>
public static class Stage1Merge
{
    /// <returns>The best <paramref name="depth"/> chunks, each with its stage-1 score: cosine, BM25 or fused.</returns>
    public static List<ShardHit> Merge(IReadOnlyList<ShardHits> shards, Stage1Plan plan, int depth)
    {
        var dense = CandidateMerger.Merge(shards.Select(s => s.Dense), depth, Score, Key);
        var lexical = CandidateMerger.Merge(shards.Select(s => s.Lexical), depth, Score, Key);
        if (plan.Mode != Stage1Mode.Hybrid)
        {
            return plan.Dense ? dense : lexical;
        }

        var fused = plan.Fusion == Stage1Fusion.Linear
            ? RankFusion.Linear(dense, lexical, plan.LexicalWeight, Score, Key)
            : RankFusion.Reciprocal([dense, lexical], plan.RrfK, Key);
        return fused.Take(depth).Select(f => f.Item with { Score = (float)f.Score }).ToList();
    }

    private static float Score(ShardHit hit) => hit.Score;

    /// <summary>Ties break on the key every shard broke them on, so the same corpus gives the same ranking however it is sharded.</summary>
    private static string Key(ShardHit hit) => ChunkKey.Of(hit.DocumentId, hit.ChunkIndex);
}
