using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace RerankCluster.Grains.Placement;

/// <summary>The active silos that may host shards (role <c>shards</c> or <c>all</c>, or any while roles are unknown).</summary>
public sealed class ShardSiloDirectory(IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    public int Count() => SiloRoles.Filter(metadata,
        membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress), SiloRoles.Shards).Length;
}
