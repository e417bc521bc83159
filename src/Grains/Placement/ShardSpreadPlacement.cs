using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Placement;

/// <summary>
/// Spreads the shards of one index over the silos whose role allows shards: replica r of shard i goes to
/// silo (h + i + r) mod n of them in address order, h a stable hash of the index. Random placement can put every
/// shard of an index on one silo, which would serialise its scatter.
/// </summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class ShardSpreadPlacement : PlacementStrategy
{
    internal static ShardSpreadPlacement Instance { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ShardSpreadPlacementAttribute() : PlacementAttribute(ShardSpreadPlacement.Instance);

public sealed class ShardSpreadPlacementDirector(ISiloMetadataCache metadata) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = SiloRoles.Filter(metadata, context.GetCompatibleSilos(target), SiloRoles.Shards)
            .OrderBy(s => s.ToParsableString(), StringComparer.Ordinal)
            .ToArray();
        if (compatible.Length == 0)
        {
            throw new OrleansException($"No silo can host {target.GrainIdentity}.");
        }

        var (key, replica) = IndexKey.ParseReplica(target.GrainIdentity.Key.ToString()!);
        var separator = key.LastIndexOf('/');
        if (separator < 0 || !int.TryParse(key.AsSpan(separator + 1), out var shard))
        {
            return Task.FromResult(compatible[Random.Shared.Next(compatible.Length)]);
        }

        // Replica r sits r silos further on: the replicas of a shard are on distinct silos while there are enough.
        var start = ShardRouter.ShardOf(key[..separator], compatible.Length);
        return Task.FromResult(compatible[(start + shard + replica) % compatible.Length]);
    }
}
