using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Options;
using RerankCluster.Grains.Reranking;

namespace RerankCluster.UnitTests;

/// <summary>A micro-batch goes to another silo when its silo fails, stalls or refuses; failed silos cool down, then get work again.</summary>
public sealed class MicroBatchFailoverTests
{
    private static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LivenessBound = TimeSpan.FromMinutes(1);
    private static readonly RerankBatch Batch = new("q", ["a", "b"]);
    private readonly ManualClock _clock = new();
    private readonly SiloCooldown _cooldown;

    public MicroBatchFailoverTests() =>
        _cooldown = new SiloCooldown(Options.Create(new RerankOptions { FailedSiloCooldown = Cooldown }), _clock, NullLogger<SiloCooldown>.Instance);

    [Fact]
    public async Task A_batch_whose_silo_fails_is_scored_on_the_next_and_the_failed_silo_gets_no_work_until_it_has_cooled_down()
    {
        var sent = new List<string>();
        var result = await MicroBatchFailover.Send(Batch, _cooldown.Order(["a", "b"], 0), LivenessBound, _cooldown, (silo, batch, _) =>
        {
            sent.Add(silo);
            return silo == "a" ? Task.FromException<RerankBatchResult>(new InvalidOperationException("silo a broke")) : Task.FromResult(Scored(silo, batch));
        }, CancellationToken.None);

        Assert.Equal("b", result.Silo);
        Assert.Equal(["a", "b"], sent);
        Assert.Equal(["b", "a"], _cooldown.Order(["a", "b"], 0));
        Assert.Equal(["b", "a"], _cooldown.Order(["a", "b"], 1));
        _clock.Advance(Cooldown);
        Assert.Equal(["a", "b"], _cooldown.Order(["a", "b"], 0));
    }

    [Fact]
    public async Task A_stalled_silo_is_joined_by_the_next_after_the_attempt_timeout_and_the_loser_is_cancelled()
    {
        var stalledCancelled = new TaskCompletionSource();
        var result = await MicroBatchFailover.Send(Batch, ["a", "b"], TimeSpan.FromMilliseconds(50), _cooldown, async (silo, batch, token) =>
        {
            if (silo == "a")
            {
                token.Register(() => stalledCancelled.TrySetResult());
                await Task.Delay(Timeout.Infinite, token);
            }

            return Scored(silo, batch);
        }, CancellationToken.None).WaitAsync(LivenessBound);

        Assert.Equal("b", result.Silo);
        await stalledCancelled.Task.WaitAsync(LivenessBound);
        Assert.True(_cooldown.IsCoolingDown("a"));
        Assert.False(_cooldown.IsCoolingDown("b"));
    }

    [Fact]
    public async Task When_every_silo_refuses_at_admission_the_refusal_is_thrown_and_no_silo_cools_down()
    {
        var error = await Assert.ThrowsAsync<OverloadedException>(() => MicroBatchFailover.Send(Batch, ["a", "b"], LivenessBound, _cooldown,
            (silo, _, _) => Task.FromException<RerankBatchResult>(new OverloadedException($"{silo} is full", TimeSpan.FromSeconds(3))), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(3), error.RetryAfter);
        Assert.False(_cooldown.IsCoolingDown("a") || _cooldown.IsCoolingDown("b"));
    }

    [Fact]
    public async Task A_bad_request_is_not_retried_elsewhere()
    {
        var sent = 0;
        await Assert.ThrowsAsync<ArgumentException>(() => MicroBatchFailover.Send(Batch, ["a", "b"], LivenessBound, _cooldown, (_, _, _) =>
        {
            sent++;
            return Task.FromException<RerankBatchResult>(new ArgumentException("bad model"));
        }, CancellationToken.None));

        Assert.Equal(1, sent);
    }

    [Fact]
    public async Task The_first_failing_batch_cancels_its_siblings_and_its_error_is_the_one_thrown()
    {
        var siblingCancelled = new TaskCompletionSource();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => MicroBatchReranker.Rerank("q", ["a", "b"], [5, 5], 1, 16384,
            async (n, batch, token) =>
            {
                if (n == 0)
                {
                    token.Register(() => siblingCancelled.TrySetResult());
                    await Task.Delay(Timeout.Infinite, token);
                }

                throw new InvalidOperationException("batch 1 failed");
            }).WaitAsync(LivenessBound));

        Assert.Equal("batch 1 failed", error.Message);
        await siblingCancelled.Task.WaitAsync(LivenessBound);
    }

    private static RerankBatchResult Scored(string silo, RerankBatch batch) => new(new float[batch.Passages.Length], silo, 0, 0, 0, 0);

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
