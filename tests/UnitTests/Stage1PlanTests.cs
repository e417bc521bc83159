using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Options;
using RerankCluster.Grains.Querying;

namespace RerankCluster.UnitTests;

public sealed class Stage1PlanTests
{
    private static readonly IndexInfo Index = new("t", "i", 1, DateTimeOffset.UnixEpoch, "bi", "cross");

    [Fact]
    public void The_request_overrides_the_index_which_overrides_the_options()
    {
        var options = new Stage1Options { Mode = Stage1Mode.Lexical, Fusion = Stage1Fusion.Linear, RrfK = 10, LexicalWeight = 0.2 };

        Assert.Equal(new Stage1Plan(Stage1Mode.Lexical, null, 10, 0.2), Stage1Plan.For(new SearchRequest("q"), Index, options));
        Assert.Equal(Stage1Mode.Dense, Stage1Plan.For(new SearchRequest("q"), Index with { Stage1 = Stage1Mode.Dense }, options).Mode);
        Assert.Equal(new Stage1Plan(Stage1Mode.Hybrid, Stage1Fusion.Rrf, 5, 0.9),
            Stage1Plan.For(new SearchRequest("q", Stage1: Stage1Mode.Hybrid, Fusion: Stage1Fusion.Rrf, RrfK: 5, LexicalWeight: 0.9),
                Index with { Stage1 = Stage1Mode.Dense }, options));
        Assert.Equal(Stage1Fusion.Linear, Stage1Plan.For(new SearchRequest("q", Stage1: Stage1Mode.Hybrid), Index, options).Fusion);
    }

    [Fact]
    public void Bad_options_stop_the_silo_naming_the_setting()
    {
        Assert.Empty(new Stage1OptionsValidator().Problems(new Stage1Options()));
        var problems = new Stage1OptionsValidator().Problems(new Stage1Options { RrfK = 0, LexicalWeight = 1.5, Mode = (Stage1Mode)7 });

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Stage1:RrfK", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Stage1:LexicalWeight", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Stage1:Mode", StringComparison.Ordinal));
    }
}
