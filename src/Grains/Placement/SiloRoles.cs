using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace RerankCluster.Grains.Placement;

/// <summary>
/// What a silo hosts, from its metadata (<c>Orleans:Metadata:role</c>): <c>shards</c>, <c>rerank</c>,
/// or <c>all</c> (a comma-separated list is allowed). Silos whose metadata is not known yet are left
/// out, unless no silo qualifies at all.
/// </summary>
public static class SiloRoles
{
    public const string MetadataKey = "role";
    public const string AcceleratorKey = "accelerator";
    public const string All = "all";
    public const string Shards = "shards";
    public const string Rerank = "rerank";

    public static bool IsValid(string role) =>
        role.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .All(r => r is All or Shards or Rerank);

    public static bool Hosts(ISiloMetadataCache metadata, SiloAddress silo, string role) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(MetadataKey, out var roles) &&
        roles.Split(',', StringSplitOptions.TrimEntries).Any(r => r == All || r == role);

    public static bool IsKnown(ISiloMetadataCache metadata, SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.ContainsKey(MetadataKey);

    /// <summary>The silos among <paramref name="candidates"/> that host <paramref name="role"/>, or all of them if none does.</summary>
    public static SiloAddress[] Filter(ISiloMetadataCache metadata, IEnumerable<SiloAddress> candidates, string role)
    {
        var all = candidates.ToArray();
        var hosting = all.Where(silo => Hosts(metadata, silo, role)).ToArray();
        return hosting.Length > 0 ? hosting : all;
    }
}
