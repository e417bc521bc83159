using RerankCluster.Grains.Placement;

namespace RerankCluster.UnitTests;

public sealed class ReplicaSiloChoiceTests
{
    private static readonly HashSet<string> None = [];

    [Fact]
    public void On_a_fresh_cluster_a_shards_replicas_land_on_distinct_silos_and_an_indexs_shards_on_every_silo()
    {
        string[] silos = ["a", "b", "c", "d"];
        for (var shard = 0; shard < 8; shard++)
        {
            var replicas = Enumerable.Range(0, 3).Select(r => ReplicaSiloChoice.Choose(silos, 5, shard, r, None)).ToArray();
            Assert.Equal(3, replicas.Distinct().Count());
        }

        Assert.Equal(silos, Enumerable.Range(0, 8).Select(shard => ReplicaSiloChoice.Choose(silos, 5, shard, 0, None)).Distinct().Order());
    }

    [Fact]
    public void A_replica_placed_after_a_silo_was_lost_avoids_the_silo_its_sibling_still_runs_on()
    {
        // Replica 0 of shard 0 still runs on "c", placed when the silos were different; over today's silos the
        // formula puts replica 1 at (0 + 0 + 1) mod 3 = "c" as well.
        string[] shifted = ["a", "c", "e"];
        Assert.Equal("c", ReplicaSiloChoice.Choose(shifted, 0, 0, 1, None));

        var chosen = ReplicaSiloChoice.Choose(shifted, 0, 0, 1, new HashSet<string> { "c" });

        Assert.NotEqual("c", chosen);
        Assert.Contains(chosen, shifted);
    }

    [Fact]
    public void With_fewer_silos_than_replicas_the_formulas_silo_is_shared_rather_than_none_chosen()
    {
        string[] silos = ["a", "b"];

        Assert.Equal("a", ReplicaSiloChoice.Choose(silos, 0, 0, 2, new HashSet<string> { "a", "b" }));
    }
}
