using System.Collections.Concurrent;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Querying;

/// <summary>
/// The settings of each index as this silo last read them, shared by every query activation here. Searches
/// enter by many keys (<see cref="ReadEntry"/>), so a query activation is often new; were the memory its own,
/// a new one could not search while the index grain's silo stalls. An index's shards and replicas never
/// change while it exists, so settings read earlier are safe to search with.
/// </summary>
public sealed class IndexSettingsMemory
{
    private readonly ConcurrentDictionary<string, IndexInfo> _known = new(StringComparer.Ordinal);

    public IndexInfo? Known(string indexKey) => _known.GetValueOrDefault(indexKey);

    /// <summary>Keeps what the index grain answered; null (the index is gone) forgets it.</summary>
    public IndexInfo? Remember(string indexKey, IndexInfo? info)
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
