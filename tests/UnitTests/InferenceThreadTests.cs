using RerankCluster.Inference.Batching;

namespace RerankCluster.UnitTests;

public sealed class InferenceThreadTests
{
    private static readonly TimeSpan LivenessBound = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Calls_run_in_order_on_one_thread_of_its_own_and_a_failing_call_fails_only_itself()
    {
        using var thread = new InferenceThread("test model");
        var order = new List<int>();
        var calls = Enumerable.Range(0, 5).Select(i => thread.Run(() =>
        {
            order.Add(i);
            return (Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name);
        })).ToArray();
        var failing = thread.Run<int>(() => throw new InvalidOperationException("model call failed"));
        var after = thread.Run(() => 42);

        var seen = await Task.WhenAll(calls).WaitAsync(LivenessBound);
        Assert.Equal([0, 1, 2, 3, 4], order);
        Assert.Single(seen.Select(s => s.CurrentManagedThreadId).Distinct());
        Assert.All(seen, s => Assert.False(s.IsThreadPoolThread));
        Assert.All(seen, s => Assert.Equal("test model", s.Name));
        Assert.Equal("model call failed", (await Assert.ThrowsAsync<InvalidOperationException>(() => failing)).Message);
        Assert.Equal(42, await after.WaitAsync(LivenessBound));
    }

    [Fact]
    public async Task Disposing_runs_what_was_queued_and_then_refuses_new_calls()
    {
        var thread = new InferenceThread("test model");
        using var gate = new ManualResetEventSlim();
        var first = thread.Run(() => gate.Wait(LivenessBound));
        var queued = thread.Run(() => 7);
        gate.Set();
        thread.Dispose();

        Assert.True(await first);
        Assert.Equal(7, await queued);
        Assert.Throws<ObjectDisposedException>(() => { _ = thread.Run(() => 1); });
    }
}
