using RerankCluster.Grains.Interfaces;
using StackExchange.Redis;

namespace RerankCluster.Grains.Storage;

/// <summary>
/// Shard contents in Redis, one hash per shard (<c>{prefix}:shard:{tenant/index/n}</c>) with a field
/// per document. A write touches only the documents it changes, never the whole shard, and a shard
/// reactivated on any silo reads the same hash back. Replicas that missed a write are marked in a
/// second hash (<c>{prefix}:stale:{tenant/index/n}</c>, a field per replica), and the writer claim is a string
/// (<c>{prefix}:writer:{tenant/index/n}</c>) every write is conditioned on. Each write returns only once it is as durable as
/// <see cref="RedisDurability"/> requires.
/// </summary>
public sealed class RedisShardStore(IConnectionMultiplexer redis, string keyPrefix, RedisDurability durability) : IShardStore
{
    private IDatabase Database => redis.GetDatabase();

    // Guarded: a shard loads during activation, where no grain call filter sees the exception.
    public Task<IReadOnlyList<DocumentChunks>> Load(string shardKey) => StorageFaults.Guard<IReadOnlyList<DocumentChunks>>(async () =>
    {
        var documents = new List<DocumentChunks>();
        var corrupt = new List<StoredDocumentsCorruptException>();
        await foreach (var entry in Database.HashScanAsync(Key(shardKey), pageSize: 512))
        {
            try
            {
                documents.Add(DocumentChunksCodec.Decode(entry.Value!, entry.Name!));
            }
            catch (StoredDocumentsCorruptException ex)
            {
                // Read on: the error names every broken document, not only the first.
                corrupt.Add(ex);
            }
        }

        return corrupt.Count == 0 ? documents : throw Corrupt(shardKey, corrupt);
    });

    public Task ClaimWriter(string shardKey, string writer) => Write(database => database.StringSetAsync(WriterKey(shardKey), writer));

    public Task Upsert(string shardKey, string writer, IReadOnlyList<DocumentChunks> documents) => Fenced(shardKey, writer, transaction =>
        transaction.HashSetAsync(Key(shardKey), documents.Select(d => new HashEntry(d.DocumentId, DocumentChunksCodec.Encode(d))).ToArray()));

    public Task Delete(string shardKey, string writer, IReadOnlyList<string> documentIds) => Fenced(shardKey, writer, transaction =>
        transaction.HashDeleteAsync(Key(shardKey), documentIds.Select(id => (RedisValue)id).ToArray()));

    public Task Drop(string shardKey) => Write(async database =>
    {
        await database.KeyDeleteAsync(Key(shardKey));
        await database.KeyDeleteAsync(StaleKey(shardKey));
        await database.KeyDeleteAsync(WriterKey(shardKey));
    });

    public Task MarkStale(string shardKey, int replica, string mark) =>
        Write(database => database.HashSetAsync(StaleKey(shardKey), replica, mark));

    public Task<string?> StaleMark(string shardKey, int replica) => StorageFaults.Guard<string?>(async () =>
        await Database.HashGetAsync(StaleKey(shardKey), replica) is { HasValue: true } mark ? (string?)mark : null);

    public Task ClearStale(string shardKey, int replica, string mark) => Write(async database =>
    {
        // Compare and delete in one transaction: a mark set after this replica's reload began stays.
        var clear = database.CreateTransaction();
        clear.AddCondition(Condition.HashEqual(StaleKey(shardKey), replica, mark));
        _ = clear.HashDeleteAsync(StaleKey(shardKey), replica);
        await clear.ExecuteAsync();
    });

    /// <summary>Applies the write only while <paramref name="writer"/> holds the shard's claim (checked and written in one transaction).</summary>
    private Task Fenced(string shardKey, string writer, Func<ITransaction, Task> write) => Write(async database =>
    {
        var transaction = database.CreateTransaction();
        transaction.AddCondition(Condition.StringEqual(WriterKey(shardKey), writer));
        _ = write(transaction);
        if (!await transaction.ExecuteAsync())
        {
            throw ShardWriterFencedException.Of(shardKey);
        }
    });

    private Task Write(Func<IDatabase, Task> write) => StorageFaults.Guard(async () =>
    {
        var database = Database;
        await write(database);
        await durability.Confirm(database);
    });

    private static StoredDocumentsCorruptException Corrupt(string shardKey, List<StoredDocumentsCorruptException> corrupt)
    {
        var ids = corrupt.SelectMany(c => c.DocumentIds).ToArray();
        return new StoredDocumentsCorruptException(ids,
            $"Shard {shardKey} cannot load {ids.Length} stored document(s), so it does not serve: {string.Join(" ", corrupt.Select(c => c.Message))} " +
            "An operator must restore or remove them in storage before the shard serves again.");
    }

    private RedisKey Key(string shardKey) => $"{keyPrefix}:shard:{shardKey}";

    private RedisKey StaleKey(string shardKey) => $"{keyPrefix}:stale:{shardKey}";

    private RedisKey WriterKey(string shardKey) => $"{keyPrefix}:writer:{shardKey}";
}
