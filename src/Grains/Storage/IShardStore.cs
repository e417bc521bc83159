using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Storage;

/// <summary>
/// Durable home of a shard's chunks. A shard grain writes here before it acknowledges, and reloads
/// from here when it is activated again (after idle collection, or on another silo after a crash).
/// Writes are fenced: only the replica-0 activation that claimed the shard last may write, so one whose
/// silo stalled, was declared dead and was replaced cannot store an old write over newer ones when it thaws.
/// </summary>
public interface IShardStore
{
    Task<IReadOnlyList<DocumentChunks>> Load(string shardKey);

    /// <summary>
    /// Makes <paramref name="writer"/> (a replica-0 activation's epoch) the shard's only writer: from now on a write
    /// by any other is refused. Claimed before the activation loads, so the load sees every write the claim fenced.
    /// </summary>
    Task ClaimWriter(string shardKey, string writer);

    /// <exception cref="ShardWriterFencedException"><paramref name="writer"/> is no longer the shard's writer; nothing was written.</exception>
    Task Upsert(string shardKey, string writer, IReadOnlyList<DocumentChunks> documents);

    /// <exception cref="ShardWriterFencedException"><paramref name="writer"/> is no longer the shard's writer; nothing was deleted.</exception>
    Task Delete(string shardKey, string writer, IReadOnlyList<string> documentIds);

    /// <summary>Drops the shard's documents, its writer claim and its stale marks.</summary>
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
