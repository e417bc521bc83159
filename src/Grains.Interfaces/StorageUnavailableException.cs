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
}
