using RerankCluster.Evaluation;

namespace RerankCluster.UnitTests;

public sealed class JudgedSetRankingTests
{
    [Fact]
    public void Counts_queries_whose_answer_is_first_and_those_whose_answer_falls_below_a_trap()
    {
        var qrels = new Qrels(new Dictionary<string, Dictionary<string, int>>
        {
            ["a"] = new() { ["a1"] = 1, ["a2"] = 0, ["long"] = 0 },
            ["b"] = new() { ["b1"] = 1, ["b2"] = 0, ["long"] = 0 },
            ["c"] = new() { ["c1"] = 1, ["c2"] = 0, ["long"] = 0 },
            ["d"] = new() { ["d1"] = 1 }, // nothing to order against: not counted
        });
        var scores = new Dictionary<string, IReadOnlyList<(string, double)>>
        {
            ["a"] = [("a1", 3), ("a2", 1), ("long", 2)],  // first
            ["b"] = [("b1", 2), ("b2", 3), ("long", 1)],  // not first, but above the trap
            ["c"] = [("c1", 1), ("c2", 0), ("long", 1)],  // tied with the trap: first is not certain, and it is trapped
            ["d"] = [("d1", 5)],
        };

        var summary = JudgedSetRanking.Summarise(scores, qrels, id => id == "long");

        Assert.Equal(3, summary.Queries);
        Assert.Equal(Math.Round(1 / 3.0, 6), summary.RelevantFirst);
        Assert.Equal(Math.Round(1 / 3.0, 6), summary.RelevantBelowTrap);
        Assert.Equal(["b", "c"], summary.FailedQueries);
    }
}
