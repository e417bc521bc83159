using RerankCluster.Grains.Interfaces;
using StackExchange.Redis;

namespace RerankCluster.Grains.Storage;

/// <summary>
/// Shard contents in Redis, one hash per shard (<c>{prefix}:shard:{tenant/index/n}</c>) with a field
/// per document. A write touches only the documents it changes, never the whole shard, and a shard
/// reactivated on any silo reads the same hash back.
/// </summary>
public sealed class RedisShardStore(IConnectionMultiplexer redis, string keyPrefix) : IShardStore
{
    private IDatabase Database => redis.GetDatabase();

    // Guarded: a shard loads during activation, where no grain call filter sees the exception.
    public Task<IReadOnlyList<DocumentChunks>> Load(string shardKey) => StorageFaults.Guard<IReadOnlyList<DocumentChunks>>(async () =>
    {
        var documents = new List<DocumentChunks>();
        await foreach (var entry in Database.HashScanAsync(Key(shardKey), pageSize: 512))
        {
            documents.Add(DocumentChunksCodec.Decode(entry.Value!));
        }

        return documents;
    });

    public Task Upsert(string shardKey, IReadOnlyList<DocumentChunks> documents) =>
        StorageFaults.Guard(() => Database.HashSetAsync(Key(shardKey),
            documents.Select(d => new HashEntry(d.DocumentId, DocumentChunksCodec.Encode(d))).ToArray()));

    public Task Delete(string shardKey, IReadOnlyList<string> documentIds) =>
        StorageFaults.Guard(() => Database.HashDeleteAsync(Key(shardKey), documentIds.Select(id => (RedisValue)id).ToArray()));

    public Task Drop(string shardKey) => StorageFaults.Guard(() => Database.KeyDeleteAsync(Key(shardKey)));

    private RedisKey Key(string shardKey) => $"{keyPrefix}:shard:{shardKey}";
}
