using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using RerankCluster.Grains.Placement;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// The silos model work can be sent to (cross-encoder micro-batches, embedding calls): active members whose
/// role allows reranking.
/// </summary>
public sealed class RerankSiloDirectory(IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    public IReadOnlyList<string> ActiveSilos()
    {
        var active = membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active)
            .Select(member => member.SiloAddress);
        return SiloRoles.Filter(metadata, active, SiloRoles.Rerank)
            .Select(silo => silo.ToParsableString())
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public SiloRotation Rotation() => new(ActiveSilos());
}
