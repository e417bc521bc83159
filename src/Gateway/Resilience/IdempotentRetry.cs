using System.Diagnostics;
using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Resilience;

/// <summary>
/// Repeats a call that met a silo leaving (<see cref="ClusterChurn"/>) until it succeeds or
/// <c>Gateway:RetryWindow</c> has passed: the cluster needs a few seconds to declare a dead silo and
/// move its grains, and a request should ride that out rather than fail. Only idempotent calls come
/// here: reads (search, stateless rerank, document lookups) and upserts, since re-upserting an id
/// replaces it (each attempt is a new job). Reads are also hedged (<see cref="Read{T}"/>): a silo that
/// stalls raises no error at all. Backoff is jittered and doubling, and a shared <see cref="RetryBudget"/>
/// caps retries (hedges have one of their own) so a failing cluster is not hit by a storm of them.
/// </summary>
/// <param name="hedges">
/// Hedges have a budget of their own (<see cref="HedgeBudget"/>): with one gateway silo of three stalled, the reads
/// through its entries need one until those entries are passed over, and a hedge of a stalled attempt costs the live
/// silos one read; the delay keeps them rare when every silo is slow (it follows the p95), which is when extra reads
/// would add load.
/// </param>
/// <param name="entries">Which entries reads go through, less those that stalled lately.</param>
public sealed class IdempotentRetry(RetryBudget budget, [FromKeyedServices(IdempotentRetry.HedgeBudget)] RetryBudget hedges, ReadEntries entries,
    IOptions<GatewayOptions> options, ILogger<IdempotentRetry> logger)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(2);
    private readonly RecentLatency _reads = new();

    /// <summary>The service key of the hedges' budget: up to half the reads, plus 5 a second.</summary>
    public const string HedgeBudget = "hedges";

    /// <summary>A write: retried on churn only, never sent twice at once.</summary>
    public Task<T> Run<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        budget.RecordRequest();
        return Retrying(call, Stopwatch.GetTimestamp(), cancellationToken);
    }

    /// <summary>
    /// A read: retried on churn, and each time it has not answered within the hedging delay (at least
    /// <c>Gateway:HedgeDelay</c>, at least twice the p95 of recent reads) sent again through another entry, up to
    /// <see cref="MostAttempts"/> at once. An entry stands for the gateway silo the client sends it through: one whose
    /// attempt did not answer within the delay is passed over for a while (<see cref="ReadEntries"/>), so that hedges and
    /// the next reads go around a stalled silo. The first success answers and the others are cancelled; an error
    /// answers once no attempt is left.
    /// </summary>
    /// <param name="scope">The grain the entries enter: an index's key for its searches and lookups, "rerank" for the rerank API.</param>
    /// <param name="call">The read through the given entry.</param>
    public async Task<T> Read<T>(string scope, Func<long, CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        budget.RecordRequest();
        hedges.RecordRequest();
        var began = Stopwatch.GetTimestamp();
        using var cancelAttempts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new List<Attempt<T>> { Send(scope, call, began, cancelAttempts.Token) };
        var delay = HedgeDelay();
        var sent = 1;
        try
        {
            while (true)
            {
                var hedge = delay > TimeSpan.Zero && sent < MostAttempts ? Task.Delay(delay, cancellationToken) : null;
                var tasks = running.Select(attempt => (Task)attempt.Answer);
                var finished = await Task.WhenAny(hedge is null ? tasks : tasks.Append(hedge));
                cancellationToken.ThrowIfCancellationRequested();
                if (finished == hedge)
                {
                    sent++;
                    foreach (var slow in running.Where(attempt => !attempt.Stalled))
                    {
                        slow.Stalled = true;
                        var passedOver = entries.Stalled(scope, slow.Entry);
                        logger.LogInformation("A read through entry {Entry} of {Scope} has not answered in {Delay} ms; the entry is passed over for {PassedOver} s",
                            slow.Entry, scope, (int)delay.TotalMilliseconds, (int)passedOver.TotalSeconds);
                    }

                    if (hedges.TryWithdraw())
                    {
                        running.Add(Send(scope, call, began, cancelAttempts.Token));
                    }

                    continue;
                }

                var attempt = running.First(a => a.Answer == finished);
                running.Remove(attempt);
                // An error answers only when no attempt is left: a hedge refused at admission must not cancel
                // the attempt that was admitted and is still running.
                if (attempt.Answer.IsCompletedSuccessfully || running.Count == 0)
                {
                    var (answer, took) = await attempt.Answer;
                    entries.Answered(scope, attempt.Entry);
                    // The attempt's own duration: a hedge that answers for a stalled attempt must not teach a longer delay.
                    _reads.Record(took);
                    return answer;
                }

                _ = attempt.Answer.Exception;
            }
        }
        finally
        {
            cancelAttempts.Cancel();
            foreach (var loser in running.Where(attempt => !attempt.Answer.IsCompleted))
            {
                _ = loser.Answer.ContinueWith(static attempt => attempt.Exception, TaskContinuationOptions.OnlyOnFaulted);
            }
        }
    }

    /// <summary>Attempts of one read in flight at most (the first and two hedges).</summary>
    public const int MostAttempts = 3;

    private TimeSpan HedgeDelay()
    {
        var least = options.Value.HedgeDelay;
        return least <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(least.Ticks, 2 * _reads.Quantile(0.95).Ticks));
    }

    /// <summary>One attempt: through an entry picked afresh for each retry after churn, timed from its own start.</summary>
    private Attempt<T> Send<T>(string scope, Func<long, CancellationToken, Task<T>> call, long began, CancellationToken cancellationToken)
    {
        var attempt = new Attempt<T>();
        attempt.Answer = Timed();
        return attempt;

        async Task<(T Answer, TimeSpan Took)> Timed()
        {
            var started = Stopwatch.GetTimestamp();
            var answer = await Retrying(token => call(attempt.Entry = entries.Pick(scope), token), began, cancellationToken);
            return (answer, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<T> Retrying<T>(Func<CancellationToken, Task<T>> call, long began, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call(cancellationToken);
            }
            catch (Exception ex) when (ClusterChurn.Is(ex) && Stopwatch.GetElapsedTime(began) < options.Value.RetryWindow && budget.TryWithdraw())
            {
                // Equal jitter: at least half the step, so retries neither spin nor synchronise.
                var step = TimeSpan.FromTicks(Math.Min(FirstDelay.Ticks << Math.Min(attempt, 8), LongestDelay.Ticks));
                var delay = step / 2 + step / 2 * Random.Shared.NextDouble();
                logger.LogInformation("Retrying a call after {Error} (attempt {Attempt}) in {Delay} ms", ex.GetType().Name, attempt + 1,
                    (int)delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    private sealed class Attempt<T>
    {
        public Task<(T Answer, TimeSpan Took)> Answer = null!;

        /// <summary>The entry of its latest try.</summary>
        public long Entry;

        /// <summary>Already counted against its entry.</summary>
        public bool Stalled;
    }
}
