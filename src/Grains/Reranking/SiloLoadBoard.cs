using System.Collections.Concurrent;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// Where a micro-batch finishes first, as seen from this silo: each rerank silo's expected completion
/// time is (its reported backlog + the tokens this silo has in flight there + the batch) ÷ its measured
/// tokens per second, both reported with every answer. A GPU silo that is 50× faster thus gets about
/// 50× the pairs, and a silo with a long queue gets fewer until it drains. A silo not measured yet is
/// assumed as fast as the fastest known one, so it is tried and measured. Silos that failed or stalled
/// (<see cref="SiloCooldown"/>) come last.
/// </summary>
public sealed class SiloLoadBoard(SiloCooldown cooldown)
{
    private readonly ConcurrentDictionary<string, SiloLoad> _silos = new(StringComparer.Ordinal);

    /// <summary>Silos to try for a batch of <paramref name="tokens"/>, best first; the cooling ones last.</summary>
    public IReadOnlyList<string> Order(IReadOnlyList<string> active, long tokens)
    {
        var known = active.Select(Load).Where(s => s.TokensPerSecond > 0).Select(s => s.TokensPerSecond).DefaultIfEmpty(1).Max();
        var healthy = active.Where(silo => !cooldown.IsCoolingDown(silo))
            .Select(silo => (silo, finish: Load(silo).ExpectedSeconds(tokens, known), tiebreak: Random.Shared.Next()))
            .OrderBy(s => s.finish).ThenBy(s => s.tiebreak)
            .Select(s => s.silo)
            .ToArray();
        return healthy.Concat(active.Except(healthy)).ToArray();
    }

    /// <summary>Counts <paramref name="tokens"/> as in flight on <paramref name="silo"/> until the send ends, and learns from its answer.</summary>
    public async Task<Interfaces.RerankBatchResult> Track(string silo, long tokens, Func<Task<Interfaces.RerankBatchResult>> send)
    {
        var load = Load(silo);
        load.Add(tokens);
        try
        {
            var result = await send();
            load.Report(result.SiloTokensPerSecond, result.SiloQueuedTokens);
            return result;
        }
        finally
        {
            load.Add(-tokens);
        }
    }

    private SiloLoad Load(string silo) => _silos.GetOrAdd(silo, _ => new SiloLoad());

    private sealed class SiloLoad
    {
        private readonly object _gate = new();
        private long _inFlight;
        private long _backlog;

        public double TokensPerSecond { get; private set; }

        public void Add(long tokens)
        {
            lock (_gate)
            {
                _inFlight += tokens;
            }
        }

        public void Report(double tokensPerSecond, long backlog)
        {
            lock (_gate)
            {
                if (tokensPerSecond > 0)
                {
                    TokensPerSecond = tokensPerSecond;
                }

                _backlog = backlog;
            }
        }

        public double ExpectedSeconds(long tokens, double fallbackRate)
        {
            lock (_gate)
            {
                var rate = TokensPerSecond > 0 ? TokensPerSecond : fallbackRate;
                return (_backlog + _inFlight + tokens) / rate;
            }
        }
    }
}
