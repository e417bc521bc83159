using Orleans.Runtime;

namespace RerankCluster.Gateway.Resilience;

/// <summary>
/// Retries reads (search, stateless rerank) when a silo left mid-call, with jittered exponential
/// backoff and a shared <see cref="RetryBudget"/>. Writes are never retried here: an upsert whose
/// acknowledgement was lost is the client's to repeat, knowing re-upserting an id replaces it.
/// </summary>
public sealed class IdempotentRetry(RetryBudget budget, ILogger<IdempotentRetry> logger)
{
    public const int MaxRetries = 2;
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(200);

    public async Task<T> Run<T>(Func<Task<T>> read, CancellationToken cancellationToken = default)
    {
        budget.RecordRequest();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (Exception ex) when (attempt < MaxRetries && IsClusterChurn(ex) && budget.TryWithdraw())
            {
                // Full jitter: anywhere between 0 and the exponential step, so retries do not synchronise.
                var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * BaseDelay.TotalMilliseconds * (1 << attempt));
                logger.LogInformation("Retrying a read after {Error} (attempt {Attempt}) in {Delay} ms", ex.GetType().Name, attempt + 1,
                    (int)delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    /// <summary>A silo left or is unreachable, or storage is briefly down, anywhere in the chain: worth a read's retry.</summary>
    public static bool IsClusterChurn(Exception? exception) => Grains.Interfaces.ExceptionChain.Of(exception).Any(e =>
        e is SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException
            or Grains.Interfaces.StorageUnavailableException);
}
