using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace RerankCluster.Grains.Interfaces;

/// <summary>
/// A silo left or cannot be reached, storage is briefly down, or a shard's writer was superseded, anywhere in an exception's chain: the
/// cluster is moving work and the same call is worth repeating shortly. The one test every retry uses
/// (the gateway's, an upsert slice's) and the error mapping's 503.
/// </summary>
public static class ClusterChurn
{
    public static bool Is(Exception? exception) => ExceptionChain.Of(exception).Any(e =>
        e is SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or StorageUnavailableException
            or ShardWriterFencedException);
}
