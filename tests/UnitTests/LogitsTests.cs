using RerankCluster.Grains.Interfaces;

namespace RerankCluster.UnitTests;

public sealed class LogitsTests
{
    [Fact]
    public void Probability_reads_the_logit_as_log_odds()
    {
        Assert.Equal(0.5, Logits.Probability(0));
        Assert.Equal(0.75, Logits.Probability(Math.Log(3)), 1e-12);
        foreach (var logit in new[] { 0.25, 1, 3.5, 12 })
        {
            Assert.Equal(1 - Logits.Probability(logit), Logits.Probability(-logit), 1e-12);
        }
    }

    [Fact]
    public void Probability_rises_with_the_logit_and_stays_a_probability_at_the_extremes()
    {
        double[] logits = [-1000, -40, -8, -1, -0.01, 0, 0.01, 1, 8, 1000];
        var probabilities = logits.Select(Logits.Probability).ToArray();
        for (var i = 1; i < probabilities.Length; i++)
        {
            Assert.True(probabilities[i] > probabilities[i - 1], $"P({logits[i]}) is not above P({logits[i - 1]})");
        }

        Assert.All(probabilities, p => Assert.InRange(p, 0, 1));
        Assert.Equal(0, Logits.Probability(-1000));
        Assert.Equal(1, Logits.Probability(1000));
    }
}
