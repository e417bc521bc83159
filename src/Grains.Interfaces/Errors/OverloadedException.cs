namespace RerankCluster.Grains.Interfaces;

/// <summary>Too much work right now (a tenant over its rate, a full queue): retry after <see cref="RetryAfter"/>.</summary>
[GenerateSerializer]
public sealed class OverloadedException(string message, TimeSpan retryAfter) : RerankException(message)
{
    [Id(0)]
    public TimeSpan RetryAfter { get; } = retryAfter;
}
