using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Gateway.Resilience;

namespace RerankCluster.ClusterTests;

public sealed class RetryTests
{
    private sealed class FrozenClock : TimeProvider
    {
        public override long GetTimestamp() => 0;
    }

    private static IdempotentRetry Retry(TimeSpan window) =>
        new(new RetryBudget(), Options.Create(new GatewayOptions { RetryWindow = window }), NullLogger<IdempotentRetry>.Instance);

    [Fact]
    public async Task A_read_that_meets_a_departed_silo_is_retried_and_succeeds()
    {
        var retry = Retry(TimeSpan.FromSeconds(15));
        var calls = 0;
        var result = await retry.Run(() => ++calls < 3 ? throw new SiloUnavailableException("gone") : Task.FromResult(42));
        Assert.Equal(42, result);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Other_errors_are_not_retried_and_churn_is_retried_only_within_the_window()
    {
        var retry = Retry(TimeSpan.FromSeconds(15));
        var calls = 0;
        await Assert.ThrowsAsync<ArgumentException>(() => retry.Run<int>(() => { calls++; throw new ArgumentException("bad input"); }));
        Assert.Equal(1, calls);

        calls = 0;
        await Assert.ThrowsAsync<SiloUnavailableException>(() => Retry(TimeSpan.Zero).Run<int>(() => { calls++; throw new SiloUnavailableException("gone"); }));
        Assert.Equal(1, calls);

        // A silo that never comes back: retried for the window (a second here), then its error is the answer.
        calls = 0;
        await Assert.ThrowsAsync<SiloUnavailableException>(() => Retry(TimeSpan.FromSeconds(1)).Run<int>(() => { calls++; throw new SiloUnavailableException("gone"); }));
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
