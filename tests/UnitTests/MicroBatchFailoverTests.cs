using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Options;
using RerankCluster.Grains.Reranking;
using RerankCluster.Inference.Batching;

namespace RerankCluster.UnitTests;

/// <summary>A micro-batch goes to another silo when its silo fails, stalls or refuses; failed silos cool down, then get work again.</summary>
public sealed class MicroBatchFailoverTests
{
    private static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LivenessBound = TimeSpan.FromMinutes(1);
    private static readonly RerankBatch Batch = new("q", ["a", "b"]);
    private readonly ManualClock _clock = new();
    private readonly SiloCooldown _cooldown;
    private readonly SiloLoadBoard _board;
    private readonly BatcherOptions _batching = new() { MaxQueueDelay = TimeSpan.FromSeconds(1) };

    public MicroBatchFailoverTests()
    {
        _cooldown = new SiloCooldown(Options.Create(new RerankOptions { FailedSiloCooldown = Cooldown }), _clock, NullLogger<SiloCooldown>.Instance);
        _board = new SiloLoadBoard(_cooldown, Options.Create(_batching), _clock);
    }

    [Fact]
    public async Task A_batch_whose_silo_fails_is_scored_on_the_next_and_the_failed_silo_gets_no_work_until_it_has_cooled_down()
    {
        var sent = new List<string>();
        var result = await MicroBatchFailover.Send(Batch, ["a", "b"], LivenessBound, _cooldown, (silo, batch, _) =>
        {
            sent.Add(silo);
            return silo == "a" ? Task.FromException<RerankBatchResult>(new InvalidOperationException("silo a broke")) : Task.FromResult(Scored(silo, batch));
        }, CancellationToken.None);

        Assert.Equal("b", result.Silo);
        Assert.Equal(["a", "b"], sent);
        // However little work a and b have, a comes last until it has cooled down.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(["b", "a"], _board.Order(["a", "b"], 100));
        }

        _clock.Advance(Cooldown);
        Assert.Equal(2, Enumerable.Range(0, 40).Select(_ => _board.Order(["a", "b"], 100)[0]).Distinct().Count());
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
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => MicroBatchReranker.Rerank("q", ["a", "b"], [5, 5], [[0], [1]],
            async (n, batch, _, token) =>
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

    [Fact]
    public async Task Dispatch_gives_a_silo_work_in_proportion_to_its_reported_throughput()
    {
        // Each silo reports its speed with its first answer; then a stream of equal batches, each sent
        // while the earlier ones are still in flight, splits 10 : 1 : 1 like the silos' speeds.
        var speeds = new Dictionary<string, double> { ["fast"] = 10_000, ["slow1"] = 1_000, ["slow2"] = 1_000 };
        string[] silos = ["fast", "slow1", "slow2"];
        foreach (var silo in silos)
        {
            await _board.Track(silo, "t", 100, () => Task.FromResult(Scored(silo, Batch) with { SiloTokensPerSecond = speeds[silo] }));
        }

        var held = new TaskCompletionSource<RerankBatchResult>();
        var sent = new List<string>();
        var inFlight = new List<Task<RerankBatchResult>>();
        for (var i = 0; i < 120; i++)
        {
            var silo = _board.Order(silos, 100)[0];
            sent.Add(silo);
            inFlight.Add(_board.Track(silo, "t", 100, () => held.Task));
        }

        held.SetResult(Scored("any", Batch));
        await Task.WhenAll(inFlight);
        Assert.InRange(sent.Count(s => s == "fast"), 95, 105);
        Assert.InRange(sent.Count(s => s == "slow1"), 7, 13);
        Assert.InRange(sent.Count(s => s == "slow2"), 7, 13);
    }

    [Fact]
    public async Task A_silo_that_reports_a_long_queue_gets_work_only_once_the_others_have_as_much()
    {
        await _board.Track("a", "t", 1, () => Task.FromResult(Scored("a", Batch) with { SiloTokensPerSecond = 1000, SiloQueuedTokens = 5_000 }));
        await _board.Track("b", "t", 1, () => Task.FromResult(Scored("b", Batch) with { SiloTokensPerSecond = 1000, SiloQueuedTokens = 0 }));
        var held = new TaskCompletionSource<RerankBatchResult>();
        var sent = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            var silo = _board.Order(["a", "b"], 100)[0];
            sent.Add(silo);
            _ = _board.Track(silo, "t", 100, () => held.Task);
        }

        Assert.All(sent.Take(50), silo => Assert.Equal("b", silo));
        Assert.Contains("a", sent.Skip(50));
        held.SetResult(Scored("any", Batch));
    }

    [Fact]
    public async Task A_silo_not_yet_measured_counts_as_fast_as_the_fastest_so_it_is_tried()
    {
        await _board.Track("fast", "t", 1, () => Task.FromResult(Scored("fast", Batch) with { SiloTokensPerSecond = 10_000 }));
        var busy = _board.Track("fast", "t", 20_000, () => new TaskCompletionSource<RerankBatchResult>().Task);

        Assert.Equal(["new", "fast"], _board.Order(["fast", "new"], 100));
        Assert.False(busy.IsCompleted);
    }

    [Fact]
    public async Task A_reported_backlog_drains_at_the_silos_rate_as_time_passes()
    {
        await _board.Track("a", "t", 1, () => Task.FromResult(Scored("a", Batch) with { SiloTokensPerSecond = 1000, SiloQueuedTokens = 5_000 }));
        await _board.Track("b", "t", 1, () => Task.FromResult(Scored("b", Batch) with { SiloTokensPerSecond = 1000, SiloQueuedTokens = 1_000 }));
        Assert.Equal(["b", "a"], _board.Order(["a", "b"], 100));

        // 5 s later a's 5,000 tokens are done too: both are idle, and either may come first.
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(2, Enumerable.Range(0, 40).Select(_ => _board.Order(["a", "b"], 100)[0]).Distinct().Count());
    }

    [Fact]
    public async Task When_every_silo_is_past_what_it_would_admit_only_a_tenant_over_its_share_is_refused_early_and_only_until_the_queues_drain()
    {
        await _board.Track("a", "flood", 1, () => Task.FromResult(Scored("a", Batch) with { SiloTokensPerSecond = 1000, SiloQueuedTokens = 3_000 }));
        var held = new TaskCompletionSource<RerankBatchResult>();
        var flood = _board.Track("a", "flood", 500, () => held.Task);
        var quiet = _board.Track("a", "quiet", 100, () => held.Task);

        // 3.6 s of work waits on the only silo, over the 1 s limit, but within what the silo itself admits while one
        // model call (16,384 tokens: 16 s here) is longer: a slow silo keeps its next call waiting.
        _board.Admit("flood", ["a"]);

        // With calls of 512 tokens (0.5 s), the silo would refuse past 1 s queued + the call it runs: 1.5 s.
        _batching.MaxBatchTokens = 512;
        var refused = Assert.Throws<OverloadedException>(() => _board.Admit("flood", ["a"]));
        Assert.Contains("Batching:MaxQueueDelay", refused.Message);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        _board.Admit("quiet", ["a"]);
        _board.Admit("newcomer", ["a"]);

        // Once the reported backlog has drained (3 s at 1,000 tokens/s), the flood is let through to the silo's own admission.
        _clock.Advance(TimeSpan.FromSeconds(3));
        _board.Admit("flood", ["a"]);

        held.SetResult(Scored("a", Batch));
        await Task.WhenAll(flood, quiet);
        _batching.MaxQueueDelay = TimeSpan.Zero;
        _board.Admit("flood", ["a"]);
    }

    [Fact]
    public async Task A_quiet_tenant_with_a_query_in_flight_is_not_refused_early_beside_a_tenant_that_sends_far_more()
    {
        _batching.MaxBatchTokens = 512;
        // The flood's queries answered (none of its pairs is in flight here), but it sent 20 of them in the last second.
        for (var i = 0; i < 20; i++)
        {
            await _board.Track("a", "flood", 500, () => Task.FromResult(Scored("a", Batch) with { SiloTokensPerSecond = 1000, SiloQueuedTokens = 3_000 }));
            _clock.Advance(TimeSpan.FromMilliseconds(50));
        }

        // Sent, reported, and the clock put back to the report: 3 s of backlog waits on the only silo.
        await _board.Track("a", "flood", 1, () => Task.FromResult(Scored("a", Batch) with { SiloTokensPerSecond = 1000, SiloQueuedTokens = 3_000 }));
        var held = new TaskCompletionSource<RerankBatchResult>();
        var quiet = _board.Track("a", "quiet", 600, () => held.Task);

        _board.Admit("quiet", ["a"]);
        Assert.Throws<OverloadedException>(() => _board.Admit("flood", ["a"]));

        // A quiet tenant given a tenth of the weight counts as sending ten times as much.
        _batching.TenantWeights["quiet"] = 0.01;
        Assert.Throws<OverloadedException>(() => _board.Admit("quiet", ["a"]));
        held.SetResult(Scored("a", Batch));
        await quiet;
    }

    [Fact]
    public async Task A_querys_pairs_are_split_so_that_each_silos_part_finishes_together_at_its_measured_speed()
    {
        await _board.Track("fast", "t", 1, () => Task.FromResult(Scored("fast", Batch) with { SiloTokensPerSecond = 10_000 }));
        await _board.Track("slow", "t", 1, () => Task.FromResult(Scored("slow", Batch) with { SiloTokensPerSecond = 1_000 }));
        var lengths = Enumerable.Range(0, 50).Select(i => 40 + i % 7 * 20).ToArray();

        var parts = _board.Split(["slow", "fast"], lengths).ToDictionary(p => p.Silo, p => p.Pairs);

        Assert.Equal(Enumerable.Range(0, 50), parts.Values.SelectMany(p => p).Order());
        var seconds = parts.ToDictionary(p => p.Key, p => p.Value.Sum(i => lengths[i]) / (p.Key == "fast" ? 10_000.0 : 1_000.0));
        // Dealt longest first to whichever would finish first: the parts end within one pair's time on the slow silo.
        Assert.InRange(Math.Abs(seconds["fast"] - seconds["slow"]), 0, lengths.Max() / 1_000.0);
        Assert.True(parts["fast"].Length > 5 * parts["slow"].Length, $"fast {parts["fast"].Length}, slow {parts["slow"].Length}");
    }

    [Fact]
    public async Task A_silo_with_a_backlog_is_dealt_fewer_pairs_and_one_cooling_down_none()
    {
        await _board.Track("busy", "t", 1, () => Task.FromResult(Scored("busy", Batch) with { SiloTokensPerSecond = 1_000, SiloQueuedTokens = 1_000 }));
        await _board.Track("idle", "t", 1, () => Task.FromResult(Scored("idle", Batch) with { SiloTokensPerSecond = 1_000 }));
        var lengths = Enumerable.Repeat(100, 30).ToArray();

        var parts = _board.Split(["busy", "idle"], lengths).ToDictionary(p => p.Silo, p => p.Pairs.Length);

        // 1 s of backlog is 10 pairs: the idle silo takes those first, then the two share the rest.
        Assert.Equal(20, parts["idle"]);
        Assert.Equal(10, parts["busy"]);

        _cooldown.Failed("idle", new InvalidOperationException("broke"));
        Assert.Equal([("busy", 30)], _board.Split(["busy", "idle"], lengths).Select(p => (p.Silo, p.Pairs.Length)));
    }

    [Fact]
    public void No_tenant_is_refused_early_while_a_silo_has_not_reported_its_speed()
    {
        // Much in flight, but nothing measured yet (e.g. each silo's first model call is warm-up).
        _ = _board.Track("a", "only", 50_000, () => new TaskCompletionSource<RerankBatchResult>().Task);

        _board.Admit("only", ["a"]);
    }

    [Fact]
    public async Task A_batch_counts_as_stalled_after_a_few_times_its_expected_time_on_its_silo_within_the_configured_longest()
    {
        var longest = TimeSpan.FromSeconds(5);
        Assert.Equal(longest, _board.StallTimeout("unmeasured", 1_000, longest));

        // 100,000 tokens/s, idle: 20,000 tokens take 0.2 s there, so the batch stalls after 0.8 s.
        await _board.Track("fast", "t", 1, () => Task.FromResult(Scored("fast", Batch) with { SiloTokensPerSecond = 100_000 }));
        Assert.Equal(0.8, _board.StallTimeout("fast", 20_000, longest).TotalSeconds, 6);
        // A small batch still gets the shortest wait, and a queued one the time its queue needs.
        Assert.Equal(SiloLoadBoard.ShortestStall, _board.StallTimeout("fast", 100, longest));
        await _board.Track("fast", "t", 1, () => Task.FromResult(Scored("fast", Batch) with { SiloTokensPerSecond = 100_000, SiloQueuedTokens = 80_000 }));
        Assert.Equal(4.0, _board.StallTimeout("fast", 20_000, longest).TotalSeconds, 6);

        // A slow silo's long wait is capped by the configured longest.
        await _board.Track("slow", "t", 1, () => Task.FromResult(Scored("slow", Batch) with { SiloTokensPerSecond = 1_000 }));
        Assert.Equal(longest, _board.StallTimeout("slow", 20_000, longest));
    }

    private static RerankBatchResult Scored(string silo, RerankBatch batch) => new(new float[batch.Passages.Length], silo, 0, 0, 0, 0);
}
