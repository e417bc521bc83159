using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Options;
using RerankCluster.Grains.Placement;

namespace RerankCluster.UnitTests;

/// <summary>
/// The two placement directors against a fake cluster: silos with roles in their metadata, a placement context
/// that offers them, and a grain directory that says where a shard's other replicas run.
/// </summary>
public sealed class PlacementDirectorTests
{
    private static readonly SiloAddress[] ShardSilos = [Silo(1), Silo(2), Silo(3)];
    private static readonly SiloAddress RerankSilo = Silo(4);
    private static readonly SiloAddress[] Cluster = [.. ShardSilos, RerankSilo];
    private const string IndexKeyName = "tenant/products";

    private readonly Dictionary<SiloAddress, string> _roles = new()
    {
        [ShardSilos[0]] = SiloRoles.Shards, [ShardSilos[1]] = SiloRoles.Shards, [ShardSilos[2]] = SiloRoles.Shards,
        [RerankSilo] = SiloRoles.Rerank,
    };

    /// <summary>Grain key → the silo its activation runs on, as the grain directory would answer.</summary>
    private readonly Dictionary<string, SiloAddress> _activations = [];

    [Fact]
    public async Task Every_replica_of_a_shard_lands_on_its_own_silo_among_those_that_host_shards()
    {
        for (var shard = 0; shard < 4; shard++)
        {
            var placed = new List<SiloAddress>();
            for (var replica = 0; replica < ShardSilos.Length; replica++)
            {
                // Placed one after another, each registered before the next is placed, as activations are.
                placed.Add(await PlaceReplica(shard, replica, Cluster));
            }

            Assert.Equal(ShardSilos.OrderBy(s => s.ToString()), placed.OrderBy(s => s.ToString()));
        }
    }

    [Fact]
    public async Task The_shards_of_one_index_spread_over_the_shard_silos() =>
        Assert.Equal(ShardSilos.OrderBy(s => s.ToString()), (await PlaceFirstReplicas(ShardSilos.Length)).OrderBy(s => s.ToString()));

    [Fact]
    public async Task A_replica_never_lands_beside_a_sibling_that_already_runs()
    {
        // After membership changes the formula may point at a silo where a sibling already runs: whichever silo
        // holds replica 1, replica 0 goes elsewhere (one of these silos is the formula's own choice).
        foreach (var sibling in ShardSilos)
        {
            _activations.Clear();
            _activations[IndexKey.Replica(IndexKeyName, 0, 1)] = sibling;
            Assert.NotEqual(sibling, await PlaceReplica(shard: 0, replica: 0, Cluster, register: false));
        }

        // Two siblings placed: only one shard silo is left.
        _activations.Clear();
        _activations[IndexKey.Replica(IndexKeyName, 0, 1)] = ShardSilos[0];
        _activations[IndexKey.Replica(IndexKeyName, 0, 2)] = ShardSilos[1];
        Assert.Equal(ShardSilos[2], await PlaceReplica(shard: 0, replica: 0, Cluster, register: false));
    }

    [Fact]
    public async Task Without_known_roles_any_compatible_silo_hosts_shards()
    {
        _roles.Clear();
        Assert.Equal(Cluster.OrderBy(s => s.ToString()), (await PlaceFirstReplicas(Cluster.Length)).OrderBy(s => s.ToString()));
    }

    [Fact]
    public async Task The_targeted_director_places_on_the_silo_its_key_names()
    {
        var rerankSilos = new[] { Silo(5), Silo(6), Silo(7) };
        foreach (var silo in rerankSilos)
        {
            _roles[silo] = SiloRoles.Rerank;
        }

        // Five tries each: a director that picked at random would miss the named silo at least once.
        foreach (var silo in rerankSilos.SelectMany(s => Enumerable.Repeat(s, 5)))
        {
            Assert.Equal(silo, await PlaceTargeted(silo.ToParsableString(), [.. rerankSilos, .. ShardSilos]));
        }
    }

    [Fact]
    public async Task The_targeted_director_sends_a_key_that_names_no_rerank_silo_to_a_rerank_silo()
    {
        var rerankSilos = new[] { RerankSilo, Silo(5) };
        _roles[rerankSilos[1]] = SiloRoles.Rerank;
        var compatible = (SiloAddress[])[.. rerankSilos, .. ShardSilos];
        // A silo that has left the cluster, and one that stays but hosts shards only: either way a rerank silo takes it.
        foreach (var key in new[] { Silo(9).ToParsableString(), ShardSilos[0].ToParsableString() })
        {
            for (var attempt = 0; attempt < 20; attempt++)
            {
                Assert.Contains(await PlaceTargeted(key, compatible), rerankSilos);
            }
        }
    }

    [Fact]
    public async Task With_no_compatible_silo_both_directors_fail_naming_the_grain()
    {
        var spread = await Assert.ThrowsAsync<OrleansException>(() => PlaceReplica(shard: 0, replica: 1, compatible: []));
        Assert.Contains(IndexKey.Replica(IndexKeyName, 0, 1), spread.Message);
        var targeted = await Assert.ThrowsAsync<OrleansException>(() => PlaceTargeted(RerankSilo.ToParsableString(), []));
        Assert.Contains(RerankSilo.ToParsableString(), targeted.Message);
    }

    /// <summary>Replica 0 of shards 0 to <paramref name="shards"/> − 1, placed one after the other with the whole cluster compatible.</summary>
    private async Task<List<SiloAddress>> PlaceFirstReplicas(int shards)
    {
        var placed = new List<SiloAddress>();
        for (var shard = 0; shard < shards; shard++)
        {
            placed.Add(await PlaceReplica(shard, replica: 0, Cluster));
        }

        return placed;
    }

    private async Task<SiloAddress> PlaceReplica(int shard, int replica, SiloAddress[] compatible, bool register = true)
    {
        var services = new ServiceCollection().AddSingleton(FakeGrainFactory.Create(_activations)).BuildServiceProvider();
        var director = new ShardSpreadPlacementDirector(new FakeMetadata(_roles), services, Microsoft.Extensions.Options.Options.Create(new IndexingOptions()));
        var key = IndexKey.Replica(IndexKeyName, shard, replica);
        var silo = await director.OnAddActivation(null!, Target("shard", key), new FakeContext(compatible));
        if (register)
        {
            _activations[key] = silo;
        }

        return silo;
    }

    private Task<SiloAddress> PlaceTargeted(string key, SiloAddress[] compatible) =>
        new SiloTargetedPlacementDirector(new FakeMetadata(_roles)).OnAddActivation(null!, Target("rerank-host", key), new FakeContext(compatible));

    private static PlacementTarget Target(string grainType, string key) =>
        new(GrainId.Create(grainType, key), [], GrainInterfaceType.Create("test"), 0);

    private static SiloAddress Silo(int host) => SiloAddress.New(new IPEndPoint(IPAddress.Parse($"10.0.0.{host}"), 11111), 1);

    private sealed class FakeMetadata(Dictionary<SiloAddress, string> roles) : ISiloMetadataCache
    {
        public SiloMetadata GetSiloMetadata(SiloAddress siloAddress)
        {
            if (!roles.TryGetValue(siloAddress, out var role))
            {
                return SiloMetadata.Empty;
            }

            var metadata = new SiloMetadata();
            AddMetadata(metadata, SiloRoles.MetadataKey, role);
            return metadata;
        }

        // Orleans 10.4 fills a silo's metadata only from inside the runtime: no public setter or constructor takes it.
        [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "AddMetadata")]
        private static extern void AddMetadata(SiloMetadata metadata, string key, string value);
    }

    private sealed class FakeContext(SiloAddress[] compatible) : IPlacementContext
    {
        public SiloAddress LocalSilo => compatible.FirstOrDefault() ?? Silo(250);

        public SiloStatus LocalSiloStatus => SiloStatus.Active;

        public SiloAddress[] GetCompatibleSilos(PlacementTarget target) => compatible;

        public IReadOnlyDictionary<ushort, SiloAddress[]> GetCompatibleSilosWithVersions(PlacementTarget target) =>
            new Dictionary<ushort, SiloAddress[]> { [0] = compatible };
    }

    /// <summary>
    /// Just what the spread director asks of Orleans: grain references by key, and the management grain's answer to
    /// where one is activated (from the activations table). Anything else is a test bug and throws.
    /// </summary>
    private class FakeGrainFactory : DispatchProxy
    {
        private Dictionary<string, SiloAddress> _activations = null!;

        public static IGrainFactory Create(Dictionary<string, SiloAddress> activations)
        {
            var factory = DispatchProxy.Create<IGrainFactory, FakeGrainFactory>();
            ((FakeGrainFactory)(object)factory)._activations = activations;
            return factory;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args) => method?.Name switch
        {
            nameof(IGrainFactory.GetGrain) when method.IsGenericMethod => Reference(method.GetGenericArguments()[0], $"{args![0]}"),
            _ => throw new NotSupportedException($"The fake grain factory does not implement {method?.Name}."),
        };

        private object Reference(Type grainInterface, string key)
        {
            var reference = (FakeGrainReference)DispatchProxy.Create(grainInterface, typeof(FakeGrainReference));
            reference.Key = key;
            reference.Activations = _activations;
            return reference;
        }
    }

    private class FakeGrainReference : DispatchProxy
    {
        public string Key { get; set; } = "";

        public Dictionary<string, SiloAddress> Activations { get; set; } = null!;

        protected override object? Invoke(MethodInfo? method, object?[]? args) => method?.Name switch
        {
            nameof(IManagementGrain.GetActivationAddress) =>
                new ValueTask<SiloAddress?>(Activations.GetValueOrDefault(((FakeGrainReference)args![0]!).Key)),
            _ => throw new NotSupportedException($"The fake grain reference does not implement {method?.Name}."),
        };
    }
}
