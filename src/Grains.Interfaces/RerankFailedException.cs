namespace RerankCluster.Grains.Interfaces;

/// <summary>
/// A cross-encoder worker failed on the query's pairs and Rerank:OnFailure is Fail. Carries only a
/// message: the worker's own exception may not cross the wire, and its details stay in the silo log.
/// </summary>
[GenerateSerializer]
public sealed class RerankFailedException : RerankException
{
    public RerankFailedException(string message)
        : base(message)
    {
    }
}
