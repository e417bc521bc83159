using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Gateway.Resilience;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.ClusterTests;

public sealed class RetryTests
{
    private sealed class FrozenClock : TimeProvider
    {
        public override long GetTimestamp() => 0;
    }

    private static IdempotentRetry Retry(TimeSpan window, TimeSpan? hedgeDelay = null, RetryBudget? hedges = null, ReadEntries? entries = null) =>
        new(new RetryBudget(), hedges ?? new RetryBudget(ratio: 0.5), entries ?? new ReadEntries(TimeProvider.System, TimeSpan.FromSeconds(5)),
            Options.Create(new GatewayOptions { RetryWindow = window, HedgeDelay = hedgeDelay ?? TimeSpan.FromSeconds(1) }),
            NullLogger<IdempotentRetry>.Instance);

    // Bounds a wait that must end; it is no timing claim (hedges here fire after 50 ms).
    private static readonly TimeSpan LivenessBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_read_whose_first_two_attempts_stall_is_answered_by_a_second_hedge_and_the_stalled_ones_are_cancelled()
    {
        var retry = Retry(TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50));
        var attempts = 0;
        var frozen = new List<CancellationToken>();
        var answer = await retry.Read("i", async (_, token) =>
        {
            if (Interlocked.Increment(ref attempts) <= 2)
            {
                // The first attempt and the first hedge entered through a frozen silo: they never answer until cancelled.
                lock (frozen)
                {
                    frozen.Add(token);
                }

                await Task.Delay(Timeout.Infinite, token);
            }

            return "from the second hedge";
        }).WaitAsync(LivenessBound);

        Assert.Equal("from the second hedge", answer);
        Assert.Equal(IdempotentRetry.MostAttempts, attempts);
        Assert.All(frozen, token => Assert.True(token.IsCancellationRequested));
    }

    [Fact]
    public async Task Hedges_and_the_next_reads_go_around_the_entry_that_stalled_and_an_entry_that_answers_is_used_again()
    {
        var entries = new ReadEntries(TimeProvider.System, TimeSpan.FromMinutes(1));
        var retry = Retry(TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50), entries: entries);
        // Entry 5 enters through a frozen silo: nothing sent through it answers.
        var tried = new List<long>();
        async Task<long> Through(long entry, CancellationToken token)
        {
            lock (tried)
            {
                tried.Add(entry);
            }

            if (entry == 5)
            {
                await Task.Delay(Timeout.Infinite, token);
            }

            return entry;
        }

        // Until a read happens to go through entry 5, then once more: that read's hedge goes elsewhere and answers.
        while (!tried.Contains(5))
        {
            await retry.Read("i", Through).WaitAsync(LivenessBound);
        }

        tried.Clear();
        for (var i = 0; i < 200; i++)
        {
            Assert.NotEqual(5, await retry.Read("i", Through).WaitAsync(LivenessBound));
        }

        Assert.DoesNotContain(5L, tried);

        // Through another scope the same entry number is another grain: it is tried.
        var rerankTried = new HashSet<long>();
        for (var i = 0; i < 2_000 && !rerankTried.Contains(5); i++)
        {
            rerankTried.Add(await retry.Read("rerank", (entry, _) => Task.FromResult(entry)).WaitAsync(LivenessBound));
        }

        Assert.Contains(5L, rerankTried);
    }

    [Fact]
    public async Task A_hedge_that_fails_while_the_first_attempt_still_runs_does_not_answer_for_it()
    {
        var retry = Retry(TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50));
        var attempts = 0;
        var answer = await retry.Read("i", async (_, token) =>
        {
            if (Interlocked.Increment(ref attempts) > 1)
            {
                // Each hedge meets a full queue and is refused at once.
                throw new OverloadedException("queue full", TimeSpan.FromSeconds(1));
            }

            // The first attempt was admitted and answers, later than the hedging delay.
            await Task.Delay(300, token);
            return "admitted";
        }).WaitAsync(LivenessBound);

        Assert.Equal("admitted", answer);
        Assert.Equal(IdempotentRetry.MostAttempts, attempts);
    }

    [Fact]
    public async Task A_read_is_not_hedged_when_hedging_is_off_or_the_budget_is_spent_and_an_error_answers_at_once()
    {
        foreach (var retry in new[]
                 {
                     Retry(TimeSpan.FromSeconds(15), TimeSpan.Zero),
                     Retry(TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(1), new RetryBudget(ratio: 0, minimumPerSecond: 0, clock: new FrozenClock())),
                 })
        {
            var attempts = 0;
            var answer = await retry.Read("i", async (_, token) =>
            {
                Interlocked.Increment(ref attempts);
                await Task.Delay(200, token);
                return 7;
            }).WaitAsync(LivenessBound);
            Assert.Equal(7, answer);
            Assert.Equal(1, attempts);
        }

        var calls = 0;
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Retry(TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(1)).Read<int>("i", (_, _) => { calls++; throw new ArgumentException("bad input"); }));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_read_that_meets_a_departed_silo_is_retried_and_succeeds()
    {
        var retry = Retry(TimeSpan.FromSeconds(15));
        var calls = 0;
        var result = await retry.Run(_ => ++calls < 3 ? throw new SiloUnavailableException("gone") : Task.FromResult(42));
        Assert.Equal(42, result);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Other_errors_are_not_retried_and_churn_is_retried_only_within_the_window()
    {
        var retry = Retry(TimeSpan.FromSeconds(15));
        var calls = 0;
        await Assert.ThrowsAsync<ArgumentException>(() => retry.Run<int>(_ => { calls++; throw new ArgumentException("bad input"); }));
        Assert.Equal(1, calls);

        calls = 0;
        await Assert.ThrowsAsync<SiloUnavailableException>(() => Retry(TimeSpan.Zero).Run<int>(_ => { calls++; throw new SiloUnavailableException("gone"); }));
        Assert.Equal(1, calls);

        // A silo that never comes back: retried for the window (a second here), then its error is the answer.
        calls = 0;
        await Assert.ThrowsAsync<SiloUnavailableException>(() => Retry(TimeSpan.FromSeconds(1)).Run<int>(_ => { calls++; throw new SiloUnavailableException("gone"); }));
        Assert.InRange(calls, 2, 10);
    }

    [Fact]
    public void The_budget_runs_dry_and_refills_with_traffic()
    {
        var budget = new RetryBudget(ratio: 0.5, minimumPerSecond: 2, clock: new FrozenClock());
        Assert.True(budget.TryWithdraw());
        Assert.True(budget.TryWithdraw());
        Assert.False(budget.TryWithdraw());
        budget.RecordRequest();
        Assert.False(budget.TryWithdraw());
        budget.RecordRequest();
        Assert.True(budget.TryWithdraw());
    }
}
