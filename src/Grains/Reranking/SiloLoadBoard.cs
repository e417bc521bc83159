using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Inference.Batching;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// The rerank silos' load as seen from this silo, and what follows from it.
/// <para>Dispatch: a query's pairs are split so that every part finishes together (<see cref="Split"/>), and a
/// part re-sent after a failure goes where it is expected to finish first: (the silo's reported backlog,
/// drained at its rate since the report, + the tokens this silo has in flight there + the batch) ÷ its
/// measured tokens per second, both reported with every answer. A GPU silo 50× faster thus gets about 50×
/// the pairs, and a silo with a long queue gets fewer until it drains. A silo not measured yet counts as
/// fast as the fastest known one, so it is tried and measured. Silos that failed or stalled
/// (<see cref="SiloCooldown"/>) come last.</para>
/// <para>Early refusal: when every silo has more work in flight than its own admission would take (the
/// delay, or one model call where that is longer, plus the call it runs), a tenant that sent at least its
/// weighted share of this silo's recent pair tokens (<see cref="RecentTenantTraffic"/>) is refused before its
/// query is embedded or searched, so that refusing costs next to nothing while the silos' own admission
/// (weighted by tenant) decides for everyone else.</para>
/// </summary>
public sealed class SiloLoadBoard(SiloCooldown cooldown, IOptions<BatcherOptions> batching, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, SiloLoad> _silos = new(StringComparer.Ordinal);
    private readonly RecentTenantTraffic _traffic = new(clock);

    /// <summary>Silos to try for a batch of <paramref name="tokens"/>, best first; the cooling ones last.</summary>
    public IReadOnlyList<string> Order(IReadOnlyList<string> active, long tokens)
    {
        var fastest = FastestRate(active);
        var now = clock.GetTimestamp();
        var healthy = active.Where(silo => !cooldown.IsCoolingDown(silo))
            .Select(silo => (silo, finish: Load(silo).ExpectedSeconds(tokens, fastest, clock, now), tiebreak: Random.Shared.Next()))
            .OrderBy(s => s.finish).ThenBy(s => s.tiebreak)
            .Select(s => s.silo)
            .ToArray();
        return healthy.Concat(active.Except(healthy)).ToArray();
    }

    /// <summary>
    /// Deals a query's pairs over the silos so that they finish together: each pair, longest first, goes to the
    /// silo where it would finish first (its expected backlog, as in <see cref="Order"/>, plus what this query has
    /// dealt it so far, over its speed). A silo 10× faster takes about 10× the pairs, a busy one fewer, and each
    /// silo gets its share as one part whose model calls its own batcher cuts. Silos cooling down take none,
    /// unless all are.
    /// </summary>
    /// <returns>One part per silo dealt any pairs: the silo and the indices of its pairs.</returns>
    public IReadOnlyList<(string Silo, int[] Pairs)> Split(IReadOnlyList<string> active, IReadOnlyList<int> pairLengths)
    {
        var healthy = active.Where(silo => !cooldown.IsCoolingDown(silo)).ToArray();
        var silos = (healthy.Length > 0 ? healthy : active.ToArray()).OrderBy(_ => Random.Shared.Next()).ToArray();
        var fastest = FastestRate(silos);
        var now = clock.GetTimestamp();
        var rates = silos.Select(silo => Load(silo).RateOr(fastest)).ToArray();
        var finish = silos.Select(silo => Load(silo).ExpectedSeconds(0, fastest, clock, now)).ToArray();
        var dealt = silos.Select(_ => new List<int>()).ToArray();
        foreach (var pair in Enumerable.Range(0, pairLengths.Count).OrderByDescending(i => pairLengths[i]))
        {
            var best = 0;
            for (var s = 1; s < silos.Length; s++)
            {
                if (finish[s] + pairLengths[pair] / rates[s] < finish[best] + pairLengths[pair] / rates[best])
                {
                    best = s;
                }
            }

            finish[best] += pairLengths[pair] / rates[best];
            dealt[best].Add(pair);
        }

        return silos.Select((silo, s) => (silo, dealt[s].Order().ToArray())).Where(part => part.Item2.Length > 0).ToArray();
    }

    /// <exception cref="OverloadedException">Every silo is past Batching:MaxQueueDelay and this tenant sent its share of the recent pairs from here.</exception>
    public void Admit(string tenant, IReadOnlyList<string> active)
    {
        var limit = batching.Value.MaxQueueDelay;
        if (limit <= TimeSpan.Zero || active.Count == 0)
        {
            return;
        }

        // A silo whose speed is not measured yet may have room: the cluster is not known to be full.
        if (active.Any(silo => Load(silo).TokensPerSecond <= 0))
        {
            return;
        }

        var now = clock.GetTimestamp();
        var over = active.Select(silo => Load(silo))
            .Select(load => (wait: load.ExpectedSeconds(0, 0, clock, now), allowed: Allowance(limit, load.TokensPerSecond)))
            .ToArray();
        if (over.Any(silo => silo.wait <= silo.allowed))
        {
            return;
        }

        var wait = over.Min(silo => silo.wait);
        if (_traffic.HasItsShare(tenant, batching.Value.WeightOf))
        {
            throw new OverloadedException(
                $"The rerank silos are past their admission budget (Batching:MaxQueuedTokens, Batching:MaxQueueDelay): over {limit} of work waits " +
                "on every one, and this tenant already sends its share of the pairs; nothing of this request was run. Retry after the Retry-After delay.",
                TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling(wait), 1, 60)));
        }
    }

    /// <summary>
    /// How long a batch of <paramref name="tokens"/> sent to <paramref name="silo"/> may go unanswered before it counts
    /// as stalled and is sent to the next silo as well: <see cref="StallFactor"/> times what it is expected to take there
    /// (as in <see cref="Order"/>), at least <see cref="ShortestStall"/>, at most <paramref name="longest"/>
    /// (Rerank:BatchAttemptTimeout, also the wait for a silo not measured yet). One fixed wait sized for a CPU silo's
    /// slow calls would let a stalled accelerator that answers in tens of milliseconds hold every query for seconds.
    /// </summary>
    public TimeSpan StallTimeout(string silo, long tokens, TimeSpan longest)
    {
        var load = Load(silo);
        if (load.TokensPerSecond <= 0)
        {
            return longest;
        }

        var expected = load.ExpectedSeconds(tokens, load.TokensPerSecond, clock, clock.GetTimestamp());
        return TimeSpan.FromSeconds(Math.Clamp(StallFactor * expected, ShortestStall.TotalSeconds, Math.Max(ShortestStall.TotalSeconds, longest.TotalSeconds)));
    }

    /// <summary>How many times its expected time a batch may take before its silo counts as stalled: room for a slow call, not for a frozen silo.</summary>
    public const double StallFactor = 4;

    /// <summary>Below this a scheduling hiccup or a garbage collection would pass for a stall.</summary>
    public static readonly TimeSpan ShortestStall = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Counts <paramref name="tokens"/> as in flight on <paramref name="silo"/> until the send ends and as sent by
    /// <paramref name="tenant"/>, and learns from the answer.
    /// </summary>
    public async Task<RerankBatchResult> Track(string silo, string tenant, long tokens, Func<Task<RerankBatchResult>> send)
    {
        var load = Load(silo);
        load.Add(tokens);
        _traffic.Add(tenant, tokens);
        try
        {
            var result = await send();
            load.Report(result.SiloTokensPerSecond, result.SiloQueuedTokens, clock.GetTimestamp());
            return result;
        }
        finally
        {
            load.Add(-tokens);
        }
    }

    /// <summary>
    /// Seconds of work in flight to a silo past which its own admission would refuse: what it may queue (the delay,
    /// or one model call where that is longer, as <see cref="CrossEncoderBatcher"/> admits) plus the call it runs.
    /// </summary>
    private double Allowance(TimeSpan limit, double tokensPerSecond)
    {
        var call = batching.Value.MaxBatchTokens / tokensPerSecond;
        if (batching.Value.MaxBatchTime > TimeSpan.Zero)
        {
            call = Math.Min(call, batching.Value.MaxBatchTime.TotalSeconds);
        }

        return Math.Max(limit.TotalSeconds, call) + call;
    }

    private double FastestRate(IReadOnlyList<string> active) =>
        active.Select(Load).Select(s => s.TokensPerSecond).Where(rate => rate > 0).DefaultIfEmpty(1).Max();

    private SiloLoad Load(string silo) => _silos.GetOrAdd(silo, _ => new SiloLoad());

    private sealed class SiloLoad
    {
        private readonly object _gate = new();
        private long _inFlight;
        private long _backlog;
        private long _reportedAt;

        public double TokensPerSecond { get; private set; }

        public void Add(long tokens)
        {
            lock (_gate)
            {
                _inFlight += tokens;
            }
        }

        public void Report(double tokensPerSecond, long backlog, long at)
        {
            lock (_gate)
            {
                if (tokensPerSecond > 0)
                {
                    TokensPerSecond = tokensPerSecond;
                }

                _backlog = backlog;
                _reportedAt = at;
            }
        }

        public double RateOr(double fallbackRate)
        {
            lock (_gate)
            {
                return TokensPerSecond > 0 ? TokensPerSecond : fallbackRate;
            }
        }

        /// <summary>Seconds until <paramref name="tokens"/> more would be done: the reported backlog drains at the silo's rate meanwhile.</summary>
        public double ExpectedSeconds(long tokens, double fallbackRate, TimeProvider clock, long now)
        {
            lock (_gate)
            {
                var rate = TokensPerSecond > 0 ? TokensPerSecond : fallbackRate;
                var drained = rate * clock.GetElapsedTime(_reportedAt, now).TotalSeconds;
                return (Math.Max(0, _backlog - drained) + _inFlight + tokens) / rate;
            }
        }
    }
}
