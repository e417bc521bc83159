using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Storage;

/// <summary>
/// Durable home of a shard's chunks. A shard grain writes here before it acknowledges, and reloads
/// from here when it is activated again (after idle collection, or on another silo after a crash).
/// </summary>
public interface IShardStore
{
    Task<IReadOnlyList<DocumentChunks>> Load(string shardKey);

    Task Upsert(string shardKey, IReadOnlyList<DocumentChunks> documents);

    Task Delete(string shardKey, IReadOnlyList<string> documentIds);

    /// <summary>Drops the shard's documents and its stale marks.</summary>
    Task Drop(string shardKey);

    /// <summary>
    /// Records that <paramref name="replica"/> missed a write it was sent: it must reload before it serves
    /// again. A later mark replaces an earlier one, so a reload clears only the mark it has caught up with.
    /// </summary>
    Task MarkStale(string shardKey, int replica, string mark);

    /// <summary>The replica's stale mark, or null when it has every write it was sent.</summary>
    Task<string?> StaleMark(string shardKey, int replica);

    /// <summary>Clears the replica's mark if it is still <paramref name="mark"/> (a newer one stays).</summary>
    Task ClearStale(string shardKey, int replica, string mark);
}
