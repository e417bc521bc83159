using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using RerankCluster.Gateway.Resilience;

namespace RerankCluster.ClusterTests;

public sealed class RetryTests
{
    private sealed class FrozenClock : TimeProvider
    {
        public override long GetTimestamp() => 0;
    }

    [Fact]
    public async Task A_read_that_meets_a_departed_silo_is_retried_and_succeeds()
    {
        var retry = new IdempotentRetry(new RetryBudget(), NullLogger<IdempotentRetry>.Instance);
        var calls = 0;
        var result = await retry.Run(() => ++calls < 3 ? throw new SiloUnavailableException("gone") : Task.FromResult(42));
        Assert.Equal(42, result);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Other_errors_and_a_third_failure_are_not_retried()
    {
        var retry = new IdempotentRetry(new RetryBudget(), NullLogger<IdempotentRetry>.Instance);
        var calls = 0;
        await Assert.ThrowsAsync<ArgumentException>(() => retry.Run<int>(() => { calls++; throw new ArgumentException("bad input"); }));
        Assert.Equal(1, calls);

        calls = 0;
        await Assert.ThrowsAsync<SiloUnavailableException>(() => retry.Run<int>(() => { calls++; throw new SiloUnavailableException("gone"); }));
        Assert.Equal(1 + IdempotentRetry.MaxRetries, calls);
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
