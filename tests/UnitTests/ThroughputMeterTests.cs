using RerankCluster.Inference.Batching;

namespace RerankCluster.UnitTests;

public sealed class ThroughputMeterTests
{
    [Fact]
    public void The_first_model_call_is_warm_up_and_does_not_set_the_rate()
    {
        var meter = new ThroughputMeter(parallelCalls: 1);

        // A cold first call, ten times slower than the rest.
        meter.Record(1_000, TimeSpan.FromSeconds(1));
        Assert.Equal(0, meter.TokensPerSecond);

        meter.Record(1_000, TimeSpan.FromSeconds(0.1));
        Assert.Equal(10_000, meter.TokensPerSecond, 1e-6);
        meter.Record(1_000, TimeSpan.FromSeconds(0.2));
        Assert.InRange(meter.TokensPerSecond, 5_000, 10_000);
    }
}
