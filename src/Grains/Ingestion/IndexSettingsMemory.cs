using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Options;

namespace RerankCluster.Grains.Ingestion;

/// <summary>
/// An index's settings, read afresh from its <see cref="IndexGrain"/> by searches, lookups and upserts, with
/// what this silo read last as the fallback: when the index grain's silo has just died or stalls and it does
/// not answer within Indexing:ShardHedgeDelay, the work goes on with the remembered settings instead of
/// waiting on that one silo. Shared by every activation here: searches enter by many keys
/// (<see cref="ReadEntry"/>) and upserts run in a job grain each, so activations are often new. An index's
/// shards and replicas never change while it exists, so settings read earlier are safe to use.
/// </summary>
public sealed class IndexSettingsMemory(IGrainFactory grains, IOptions<IndexingOptions> indexing, ILogger<IndexSettingsMemory> logger)
{
    private readonly ConcurrentDictionary<string, IndexInfo> _known = new(StringComparer.Ordinal);

    /// <returns>The settings; null when the index does not exist.</returns>
    public async Task<IndexInfo?> Read(string indexKey)
    {
        var read = grains.GetGrain<IIndexGrain>(indexKey).Get();
        if (!_known.TryGetValue(indexKey, out var known))
        {
            return Remember(indexKey, await read);
        }

        try
        {
            return Remember(indexKey, await read.WaitAsync(indexing.Value.ShardHedgeDelay));
        }
        catch (Exception ex) when (ex is not RerankException)
        {
            logger.LogWarning("Index {Index} did not answer for its settings ({Error}); going on with the ones read last", indexKey, ex.GetType().Name);
            return known;
        }
    }

    /// <summary>Keeps what the index grain answered; null (the index is gone) forgets it.</summary>
    private IndexInfo? Remember(string indexKey, IndexInfo? info)
    {
        if (info is null)
        {
            _known.TryRemove(indexKey, out _);
        }
        else
        {
            _known[indexKey] = info;
        }

        return info;
    }
}
