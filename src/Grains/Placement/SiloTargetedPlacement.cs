using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace RerankCluster.Grains.Placement;

/// <summary>
/// Places a grain on the silo whose address is its key. Stateless workers always activate beside
/// their caller, so a query grain could never spread micro-batches by calling them directly; it calls
/// a silo-targeted grain on each chosen silo instead, which calls that silo's workers.
/// </summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class SiloTargetedPlacement : PlacementStrategy
{
    internal static SiloTargetedPlacement Instance { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloTargetedPlacementAttribute() : PlacementAttribute(SiloTargetedPlacement.Instance);

/// <summary>
/// Finds the silo named by the key; if it has left the cluster, any silo whose role allows reranking
/// takes the activation.
/// </summary>
public sealed class SiloTargetedPlacementDirector(ISiloMetadataCache metadata) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = SiloRoles.Filter(metadata, context.GetCompatibleSilos(target), SiloRoles.Rerank);
        if (compatible.Length == 0)
        {
            throw new OrleansException($"No silo can host {target.GrainIdentity}.");
        }

        var key = target.GrainIdentity.Key.ToString();
        var named = compatible.FirstOrDefault(silo => silo.ToParsableString() == key);
        return Task.FromResult(named ?? compatible[Random.Shared.Next(compatible.Length)]);
    }
}
