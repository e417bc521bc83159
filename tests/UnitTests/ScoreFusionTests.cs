using RerankCluster.Retrieval;

namespace RerankCluster.UnitTests;

public sealed class ScoreFusionTests
{
    [Fact]
    public void Interpolation_min_max_normalises_each_stage_then_weights_them()
    {
        float[] logits = [4f, -2f, 1f];      // normalised: 1, 0, 0.5
        float[] cosines = [0.5f, 0.9f, 0.7f]; // normalised: 0, 1, 0.5

        var fused = ScoreFusion.Interpolate(logits, cosines, 0.25);

        Assert.Equal([0.75, 0.25, 0.5], fused.Select(f => Math.Round(f, 9)).ToArray());
    }

    [Fact]
    public void The_end_weights_give_each_stage_s_own_order()
    {
        float[] logits = [0.1f, 3f, -1f, 2f];
        float[] cosines = [0.8f, 0.2f, 0.6f, 0.4f];

        Assert.Equal([1, 3, 0, 2], Order(ScoreFusion.Interpolate(logits, cosines, 0)));
        Assert.Equal([0, 2, 3, 1], Order(ScoreFusion.Interpolate(logits, cosines, 1)));
    }

    [Fact]
    public void Equal_scores_order_nothing_and_bad_input_is_refused()
    {
        Assert.Equal([0.0, 0.0], ScoreFusion.Interpolate([2f, 2f], [0.3f, 0.3f], 0.5));
        Assert.Throws<ArgumentException>(() => ScoreFusion.Interpolate([1f], [1f, 2f], 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScoreFusion.Interpolate([1f], [1f], 1.5));
    }

    private static int[] Order(double[] scores) => scores.Select((s, i) => (s, i)).OrderByDescending(x => x.s).Select(x => x.i).ToArray();
}
