using RerankCluster.Retrieval;

namespace RerankCluster.UnitTests;

public sealed class RankFusionTests
{
    private static string Key(string id) => id;

    [Fact]
    public void Reciprocal_rank_fusion_equals_the_hand_computed_ranking()
    {
        string[] dense = ["a", "b", "c", "d"];
        string[] lexical = ["c", "e", "a"];

        var fused = RankFusion.Reciprocal([dense, lexical], 60, Key);

        // a: 1/61 + 1/63 = 0.032266; c: 1/63 + 1/61 = 0.032266 (a tie, broken by key); b: 1/62; e: 1/62 (tie); d: 1/64.
        Assert.Equal(["a", "c", "b", "e", "d"], fused.Select(f => f.Item));
        Assert.Equal(1.0 / 61 + 1.0 / 63, fused[0].Score, 12);
        Assert.Equal(1.0 / 62, fused[2].Score, 12);
        Assert.Equal(1.0 / 64, fused[4].Score, 12);
    }

    [Fact]
    public void The_constant_k_sets_how_much_agreement_outweighs_a_first_place()
    {
        string[] first = ["x", "y", "z"];
        string[] second = ["w", "y", "z"];

        // k = 60: z, third in both (2/63 = 0.0317), beats x and w, first in one (1/61 = 0.0164).
        Assert.Equal(["y", "z", "w", "x"], RankFusion.Reciprocal([first, second], 60, Key).Select(f => f.Item));
        // k = 1: y 1/3 + 1/3; w, x and z all 0.5 (1/2; 1/4 + 1/4), in key order.
        var sharp = RankFusion.Reciprocal([first, second], 1, Key);
        Assert.Equal(["y", "w", "x", "z"], sharp.Select(f => f.Item));
        Assert.Equal([2.0 / 3, 0.5, 0.5, 0.5], sharp.Select(f => f.Score), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Linear_fusion_min_max_normalises_each_list_then_weights_them()
    {
        (string Id, float Score)[] dense = [("a", 0.9f), ("b", 0.7f), ("c", 0.5f)];  // normalised: 1, 0.5, 0
        (string Id, float Score)[] lexical = [("c", 12f), ("d", 8f), ("a", 4f)];   // normalised: 1, 0.5, 0

        var fused = RankFusion.Linear(dense, lexical, 0.3, h => h.Score, h => h.Id);

        // a: 0.7 · 1 + 0.3 · 0 = 0.7; b: 0.7 · 0.5 = 0.35; c: 0 + 0.3 · 1 = 0.3; d: 0.3 · 0.5 = 0.15.
        Assert.Equal(["a", "b", "c", "d"], fused.Select(f => f.Item.Id));
        Assert.Equal([0.7, 0.35, 0.3, 0.15], fused.Select(f => Math.Round(f.Score, 6)));
    }

    [Fact]
    public void The_end_weights_give_each_list_s_own_order_and_bad_parameters_are_refused()
    {
        (string Id, float Score)[] dense = [("a", 3f), ("b", 2f), ("c", 1f)];
        (string Id, float Score)[] lexical = [("c", 3f), ("b", 2f), ("a", 1f)];

        Assert.Equal(["a", "b", "c"], RankFusion.Linear(dense, lexical, 0, h => h.Score, h => h.Id).Select(f => f.Item.Id));
        Assert.Equal(["c", "b", "a"], RankFusion.Linear(dense, lexical, 1, h => h.Score, h => h.Id).Select(f => f.Item.Id));
        Assert.Throws<ArgumentOutOfRangeException>(() => RankFusion.Linear(dense, lexical, 1.2, h => h.Score, h => h.Id));
        Assert.Throws<ArgumentOutOfRangeException>(() => RankFusion.Reciprocal<string>([["a"]], 0, Key));
    }
}
