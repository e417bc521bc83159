using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using RerankCluster.Grains.Placement;

namespace RerankCluster.Grains.Reranking;

/// <summary>The silos a query can send cross-encoder micro-batches to: active members whose role allows reranking.</summary>
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
}
