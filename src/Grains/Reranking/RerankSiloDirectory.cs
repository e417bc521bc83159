using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using RerankCluster.Grains.Placement;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// The silos model work can be sent to (cross-encoder micro-batches, embedding calls): active members
/// whose role allows reranking. While some silo's metadata has not arrived, any active silo may stand in
/// rather than none; once every role is known and none reranks, there are none (a query answers 503).
/// </summary>
public sealed class RerankSiloDirectory(IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    public IReadOnlyList<string> ActiveSilos()
    {
        var active = membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active)
            .Select(member => member.SiloAddress)
            .ToArray();
        var rerank = active.Where(silo => SiloRoles.Hosts(metadata, silo, SiloRoles.Rerank)).ToArray();
        var targets = rerank.Length > 0 || active.All(silo => SiloRoles.IsKnown(metadata, silo)) ? rerank : active;
        return targets
            .Select(silo => silo.ToParsableString())
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
