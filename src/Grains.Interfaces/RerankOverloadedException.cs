namespace RerankCluster.Grains.Interfaces;

/// <summary>
/// Every rerank silo tried refused the work at admission (its queue is past Batching:MaxQueuedTokens):
/// nothing of the request is left queued. The gateway answers 429 with <see cref="RetryAfterSeconds"/>.
/// </summary>
[GenerateSerializer]
public sealed class RerankOverloadedException : Exception
{
    public RerankOverloadedException(string message, int retryAfterSeconds)
        : base(message)
    {
        RetryAfterSeconds = retryAfterSeconds;
    }

    /// <summary>How long the refusing silo's queue needs to drain at its measured throughput (at least 1).</summary>
    [Id(0)]
    public int RetryAfterSeconds { get; }
}
