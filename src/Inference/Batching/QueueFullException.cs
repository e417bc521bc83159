namespace RerankCluster.Inference.Batching;

/// <summary>A batcher refused a request: admitting it would queue more than its admission budget.</summary>
public sealed class QueueFullException(long queuedTokens, long requestTokens, long budget, TimeSpan retryAfter)
    : Exception($"The cross-encoder queue holds {queuedTokens} tokens; {requestTokens} more would pass its admission budget of {budget} tokens " +
                "(Batching:MaxQueuedTokens, or what the measured throughput drains in Batching:MaxQueueDelay).")
{
    /// <summary>How long the queue needs to drain at the throughput measured so far.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
