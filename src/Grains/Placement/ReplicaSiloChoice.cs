namespace RerankCluster.Grains.Placement;

/// <summary>
/// Where a shard replica activates: replica r of shard i at position (h + i + r) mod n of the silos that may host
/// shards, in address order (h a stable hash of the index), so an index's shards and a shard's replicas spread
/// out. Membership changes move that formula, not the replicas already running, so a replica placed after a
/// silo was lost could land beside a sibling that stayed; the next silo that holds none of them is taken instead,
/// since two copies of a shard on one silo fail together.
/// </summary>
public static class ReplicaSiloChoice
{
    /// <param name="silos">The silos that may host shards, in address order; not empty.</param>
    /// <param name="start">The index's offset (h).</param>
    /// <param name="occupied">Silos already running another replica of this shard.</param>
    public static T Choose<T>(IReadOnlyList<T> silos, int start, int shard, int replica, IReadOnlySet<T> occupied)
    {
        var first = (start + shard + replica) % silos.Count;
        for (var step = 0; step < silos.Count; step++)
        {
            var candidate = silos[(first + step) % silos.Count];
            if (!occupied.Contains(candidate))
            {
                return candidate;
            }
        }

        // Fewer silos than replicas: sharing one cannot be avoided.
        return silos[first];
    }
}
