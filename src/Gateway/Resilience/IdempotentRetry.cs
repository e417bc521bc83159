using System.Diagnostics;
using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Resilience;

/// <summary>
/// Repeats a call that met a silo leaving (<see cref="ClusterChurn"/>) until it succeeds or
/// <c>Gateway:RetryWindow</c> has passed: the cluster needs a few seconds to declare a dead silo and
/// move its grains, and a request should ride that out rather than fail. Only idempotent calls come
/// here: reads (search, stateless rerank) and upserts, since re-upserting an id replaces it (each
/// attempt is a new job). Backoff is jittered and doubling, and a shared <see cref="RetryBudget"/> caps
/// the retries so a failing cluster is not hit by a storm of them.
/// </summary>
public sealed class IdempotentRetry(RetryBudget budget, IOptions<GatewayOptions> options, ILogger<IdempotentRetry> logger)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(2);

    public async Task<T> Run<T>(Func<Task<T>> call, CancellationToken cancellationToken = default)
    {
        budget.RecordRequest();
        var began = Stopwatch.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
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
}
