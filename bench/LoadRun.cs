using System.Diagnostics;
using RerankCluster.Evaluation;

namespace RerankCluster.Bench;

/// <summary>A fixed number of operations run with a fixed number in flight: latencies and throughput.</summary>
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
}
