using Orleans.Runtime;

namespace RerankCluster.Grains.Reranking;

/// <summary>The silos a query can send cross-encoder micro-batches to, from the live membership view.</summary>
public sealed class RerankSiloDirectory(IClusterMembershipService membership)
{
    public IReadOnlyList<string> ActiveSilos() =>
        membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active)
            .Select(member => member.SiloAddress.ToParsableString())
            .Order(StringComparer.Ordinal)
            .ToList();
}
