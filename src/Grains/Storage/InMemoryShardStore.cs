using System.Collections.Concurrent;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Storage;

/// <summary>
/// Process-wide shard storage for the embedded single-machine mode: it outlives grain activations,
/// not the process. Multi-process clusters use Redis.
/// </summary>
public sealed class InMemoryShardStore : IShardStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, DocumentChunks>> _shards = new();
    private readonly ConcurrentDictionary<(string Shard, int Replica), string> _staleMarks = new();
    private readonly ConcurrentDictionary<string, string> _writers = new();

    // One process, one activation per shard at a time: the check and the write need no common lock here.
    private void RequireWriter(string shardKey, string writer)
    {
        if (!_writers.TryGetValue(shardKey, out var current) || current != writer)
        {
            throw ShardWriterFencedException.Of(shardKey);
        }
    }

    public Task<IReadOnlyList<DocumentChunks>> Load(string shardKey) =>
        Task.FromResult<IReadOnlyList<DocumentChunks>>(
            _shards.TryGetValue(shardKey, out var shard) ? shard.Values.ToList() : []);

    public Task ClaimWriter(string shardKey, string writer)
    {
        _writers[shardKey] = writer;
        return Task.CompletedTask;
    }

    public Task Upsert(string shardKey, string writer, IReadOnlyList<DocumentChunks> documents)
    {
        RequireWriter(shardKey, writer);
        var shard = _shards.GetOrAdd(shardKey, _ => new ConcurrentDictionary<string, DocumentChunks>());
        foreach (var document in documents)
        {
            shard[document.DocumentId] = document;
        }

        return Task.CompletedTask;
    }

    public Task Delete(string shardKey, string writer, IReadOnlyList<string> documentIds)
    {
        RequireWriter(shardKey, writer);
        if (_shards.TryGetValue(shardKey, out var shard))
        {
            foreach (var id in documentIds)
            {
                shard.TryRemove(id, out _);
            }
        }

        return Task.CompletedTask;
    }

    public Task Drop(string shardKey)
    {
        _shards.TryRemove(shardKey, out _);
        _writers.TryRemove(shardKey, out _);
        foreach (var key in _staleMarks.Keys.Where(k => k.Shard == shardKey))
        {
            _staleMarks.TryRemove(key, out _);
        }

        return Task.CompletedTask;
    }

    public Task MarkStale(string shardKey, int replica, string mark)
    {
        _staleMarks[(shardKey, replica)] = mark;
        return Task.CompletedTask;
    }

    public Task<string?> StaleMark(string shardKey, int replica) =>
        Task.FromResult(_staleMarks.TryGetValue((shardKey, replica), out var mark) ? mark : null);

    public Task ClearStale(string shardKey, int replica, string mark)
    {
        _staleMarks.TryRemove(new KeyValuePair<(string, int), string>((shardKey, replica), mark));
        return Task.CompletedTask;
    }
}
