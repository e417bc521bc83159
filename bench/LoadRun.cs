using System.Diagnostics;
using RerankCluster.Evaluation;

namespace RerankCluster.Bench;

/// <summary>
/// A fixed number of operations, run with a fixed number in flight (closed loop) or started at a fixed rate
/// (open loop, <see cref="Concurrency"/> 0): latencies and throughput.
/// </summary>
public sealed record LoadRun(int Operations, int Concurrency, TimeSpan Wall, LatencySummary Latency)
{
    public double PerSecond => Operations / Wall.TotalSeconds;

    public static async Task<LoadRun> Measure(int operations, int concurrency, Func<int, Task> operation)
    {
        var latencies = new double[operations];
        var next = -1;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < operations)
            {
                var clock = Stopwatch.StartNew();
                await operation(index);
                latencies[index] = clock.Elapsed.TotalMilliseconds;
            }
        })));
        return new LoadRun(operations, concurrency, wall.Elapsed, LatencySummary.Of(latencies));
    }

    /// <summary>
    /// Starts operation i at i ÷ <paramref name="perSecond"/> seconds whether or not earlier ones have ended, and
    /// counts its latency from that due time, so time spent waiting behind earlier work is part of it.
    /// </summary>
    public static async Task<LoadRun> OpenLoop(int operations, double perSecond, Func<int, Task> operation)
    {
        var latencies = new double[operations];
        var wall = Stopwatch.StartNew();
        var running = new Task[operations];
        for (var i = 0; i < operations; i++)
        {
            var due = TimeSpan.FromSeconds(i / perSecond);
            if (due > wall.Elapsed)
            {
                await Task.Delay(due - wall.Elapsed);
            }

            var index = i;
            running[i] = Task.Run(async () =>
            {
                await operation(index);
                latencies[index] = (wall.Elapsed - due).TotalMilliseconds;
            });
        }

        await Task.WhenAll(running);
        return new LoadRun(operations, 0, wall.Elapsed, LatencySummary.Of(latencies));
    }
}
