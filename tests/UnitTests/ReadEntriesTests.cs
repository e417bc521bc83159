using RerankCluster.Gateway.Resilience;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.UnitTests;

public sealed class ReadEntriesTests
{
    private static readonly TimeSpan Probation = TimeSpan.FromSeconds(5);
    private readonly ManualClock _clock = new();

    private HashSet<long> Picks(ReadEntries entries, string scope, int picks = 2_000) =>
        Enumerable.Range(0, picks).Select(_ => entries.Pick(scope)).ToHashSet();

    [Fact]
    public void An_entry_that_stalled_is_not_picked_during_its_probation_in_its_scope_and_is_picked_again_after()
    {
        var entries = new ReadEntries(_clock, Probation);
        Assert.Equal(Probation, entries.Stalled("tenant/index", 7));

        Assert.DoesNotContain(7L, Picks(entries, "tenant/index"));
        // Another scope's entry 7 is another grain, which the client may send through another silo.
        Assert.Contains(7L, Picks(entries, "rerank"));

        _clock.Advance(Probation);
        Assert.Contains(7L, Picks(entries, "tenant/index"));
    }

    [Fact]
    public void Stalling_again_right_after_a_probation_doubles_it_and_an_answer_starts_it_afresh()
    {
        var entries = new ReadEntries(_clock, Probation);
        entries.Stalled("i", 3);
        // A second stalled attempt within the probation does not lengthen it.
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Probation - TimeSpan.FromSeconds(1), entries.Stalled("i", 3));

        _clock.Advance(Probation);
        Assert.Equal(2 * Probation, entries.Stalled("i", 3));
        _clock.Advance(2 * Probation);
        Assert.Equal(4 * Probation, entries.Stalled("i", 3));

        entries.Answered("i", 3);
        Assert.Contains(3L, Picks(entries, "i"));
        Assert.Equal(Probation, entries.Stalled("i", 3));
    }

    [Fact]
    public void The_probation_stops_growing_at_a_minute()
    {
        var entries = new ReadEntries(_clock, Probation);
        var longest = TimeSpan.Zero;
        for (var i = 0; i < 30; i++)
        {
            longest = entries.Stalled("i", 1);
            _clock.Advance(longest);
        }

        Assert.Equal(ReadEntries.LongestProbation, longest);
    }

    [Fact]
    public void When_every_entry_of_a_scope_stalled_one_is_still_picked()
    {
        var entries = new ReadEntries(_clock, Probation);
        for (long entry = 0; entry < ReadEntry.Count; entry++)
        {
            entries.Stalled("i", entry);
        }

        Assert.All(Picks(entries, "i", 100), entry => Assert.InRange(entry, 0, ReadEntry.Count - 1));

        // All but one: that one takes every read.
        entries.Answered("i", 42);
        Assert.Equal([42L], Picks(entries, "i", 100));
    }
}
