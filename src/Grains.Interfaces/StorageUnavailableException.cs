namespace RerankCluster.Grains.Interfaces;

/// <summary>
/// The cluster's storage (Redis) could not be reached, so the call was not applied. Raised in place
/// of the storage client's own exceptions, which cannot cross the wire to a gateway.
/// </summary>
[GenerateSerializer]
public sealed class StorageUnavailableException : RerankException
{
    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public const string DefaultMessage = "The cluster's storage is unreachable, so the request was not applied (nothing was acknowledged). Retry shortly.";

    /// <summary>
    /// The outage in <paramref name="exception"/>'s chain, if any. Orleans' Redis grain directory fails a new activation
    /// with an <see cref="OrleansException"/> that carries the Redis client's exception as text only (its type has no
    /// codec), so that one is recognised by the client's namespace in its message.
    /// </summary>
    public static StorageUnavailableException? In(Exception exception) =>
        ExceptionChain.Of(exception).OfType<StorageUnavailableException>().FirstOrDefault()
        ?? (ExceptionChain.Of(exception).Any(e => e is OrleansException && e.Message.Contains("StackExchange.Redis.", StringComparison.Ordinal))
            ? new StorageUnavailableException($"{DefaultMessage} (grain directory)")
            : null);
}
