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

    Task Drop(string shardKey);
}
