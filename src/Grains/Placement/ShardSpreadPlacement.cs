using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Options;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Placement;

/// <summary>
/// Spreads the shards of one index over the silos whose role allows shards (<see cref="ReplicaSiloChoice"/>), away
/// from the silos already running a sibling replica. Random placement can put every shard of an index on one silo,
/// which would serialise its scatter.
/// </summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class ShardSpreadPlacement : PlacementStrategy
{
    internal static ShardSpreadPlacement Instance { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ShardSpreadPlacementAttribute() : PlacementAttribute(ShardSpreadPlacement.Instance);

public sealed class ShardSpreadPlacementDirector(ISiloMetadataCache metadata, IServiceProvider services, IOptions<IndexingOptions> indexing)
    : IPlacementDirector
{
    // A directory lookup answers in milliseconds; one whose owner stalls must not hold the activation back.
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(1);

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
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
            return compatible[Random.Shared.Next(compatible.Length)];
        }

        var indexKey = key[..separator];
        var occupied = await SiblingSilos(indexKey, shard, replica);
        return ReplicaSiloChoice.Choose(compatible, ShardRouter.ShardOf(indexKey, compatible.Length), shard, replica, occupied);
    }

    /// <summary>Where the shard's other replicas run now, as the grain directory says; a lookup that fails counts as none.</summary>
    private async Task<HashSet<SiloAddress>> SiblingSilos(string indexKey, int shard, int replica)
    {
        var grains = services.GetRequiredService<IGrainFactory>();
        var management = grains.GetGrain<IManagementGrain>(0);
        var lookups = Enumerable.Range(0, indexing.Value.MaxReplicas).Where(r => r != replica)
            .Select(async r =>
            {
                try
                {
                    var sibling = grains.GetGrain<IShardGrain>(IndexKey.Replica(indexKey, shard, r));
                    return await management.GetActivationAddress(sibling).AsTask().WaitAsync(LookupTimeout);
                }
                catch (Exception)
                {
                    return null;
                }
            });
        return (await Task.WhenAll(lookups)).OfType<SiloAddress>().ToHashSet();
    }
}
