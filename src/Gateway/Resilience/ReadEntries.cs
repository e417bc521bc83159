using System.Collections.Concurrent;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Resilience;

/// <summary>
/// Which entry (<see cref="ReadEntry"/>) a read attempt enters the cluster by. Orleans' client sends every call to one
/// grain through one gateway silo, so an entry of a scope (an index's searches and lookups, or the stateless rerank
/// API) stands for one gateway silo: when that silo stalls (frozen, not dead, so membership keeps it), every attempt
/// through the entry waits, and hedges drawn at random meet it again a third of the time. An entry whose attempt has
/// not answered within the hedging delay is passed over for a probation, doubled for each time in a row (up to
/// <see cref="LongestProbation"/>); an answer through it clears it. When every entry of a scope is passed over, any is
/// taken. Plain state, so the rule is tested without a cluster.
/// </summary>
public sealed class ReadEntries(TimeProvider clock, TimeSpan probation)
{
    public static readonly TimeSpan LongestProbation = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<(string Scope, long Entry), Stall> _stalled = new();

    /// <summary>An entry of <paramref name="scope"/> at random among those not passed over now.</summary>
    public long Pick(string scope)
    {
        var first = ReadEntry.Any();
        if (_stalled.IsEmpty)
        {
            return first;
        }

        var now = clock.GetTimestamp();
        for (var step = 0; step < ReadEntry.Count; step++)
        {
            var entry = (first + step) % ReadEntry.Count;
            if (!_stalled.TryGetValue((scope, entry), out var stall) || now >= stall.Until)
            {
                return entry;
            }
        }

        return first;
    }

    /// <summary>An attempt through the entry did not answer within the hedging delay.</summary>
    /// <returns>How long the entry is passed over.</returns>
    public TimeSpan Stalled(string scope, long entry)
    {
        var now = clock.GetTimestamp();
        var stall = _stalled.AddOrUpdate((scope, entry),
            _ => new Stall(now + Ticks(probation), 1),
            (_, earlier) => now < earlier.Until
                ? earlier
                : new Stall(now + Ticks(Longer(earlier.InARow)), earlier.InARow + 1));
        return clock.GetElapsedTime(now, stall.Until);
    }

    /// <summary>An attempt through the entry answered: it is trusted again, and its next stall starts the probation afresh.</summary>
    public void Answered(string scope, long entry)
    {
        if (!_stalled.IsEmpty)
        {
            _stalled.TryRemove((scope, entry), out _);
        }
    }

    private TimeSpan Longer(int inARow) => TimeSpan.FromTicks(Math.Min(probation.Ticks * (1L << Math.Min(inARow, 16)), LongestProbation.Ticks));

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * clock.TimestampFrequency);

    private sealed record Stall(long Until, int InARow);
}
