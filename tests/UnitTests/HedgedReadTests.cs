using RerankCluster.Grains.Querying;

namespace RerankCluster.UnitTests;

public sealed class HedgedReadTests
{
    private static readonly TimeSpan LivenessBound = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_replica_that_fails_is_followed_at_once_by_the_next()
    {
        var asked = new List<int>();
        // The hedging delay is far away: only the failure can bring the second replica in.
        var answer = await HedgedRead.First(3, replica =>
        {
            asked.Add(replica);
            return replica == 0 ? Task.FromException<string>(new InvalidOperationException("silo gone")) : Task.FromResult($"replica {replica}");
        }, TimeSpan.FromHours(1)).WaitAsync(LivenessBound);

        Assert.Equal("replica 1", answer);
        Assert.Equal([0, 1], asked);
    }

    [Fact]
    public async Task A_replica_that_does_not_answer_is_joined_by_the_next_after_the_delay_and_the_first_answer_wins()
    {
        var silent = new TaskCompletionSource<string>();
        var answer = await HedgedRead.First(2, replica => replica == 0 ? silent.Task : Task.FromResult("replica 1"),
            TimeSpan.FromMilliseconds(20)).WaitAsync(LivenessBound);

        Assert.Equal("replica 1", answer);
    }

    [Fact]
    public async Task When_every_replica_fails_the_last_error_is_thrown_and_a_single_replica_is_waited_for()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => HedgedRead.First(2,
            replica => Task.FromException<int>(new InvalidOperationException($"replica {replica} failed")), TimeSpan.FromHours(1)));
        Assert.Equal("replica 1 failed", error.Message);

        var slow = new TaskCompletionSource<int>();
        var only = HedgedRead.First(1, _ => slow.Task, TimeSpan.FromMilliseconds(1));
        await Task.Delay(50);
        Assert.False(only.IsCompleted);
        slow.SetResult(7);
        Assert.Equal(7, await only.WaitAsync(LivenessBound));
    }
}
