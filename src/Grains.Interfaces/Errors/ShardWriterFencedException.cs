namespace RerankCluster.Grains.Interfaces;

/// <summary>
/// A shard write came from a replica-0 activation that is no longer the shard's writer: a newer one has
/// claimed the shard since (this one's silo stalled and was declared dead, or the store lost its claim).
/// Nothing was written; the caller retries, and reaches the current writer.
/// </summary>
[GenerateSerializer]
public sealed class ShardWriterFencedException(string message) : RerankException(message)
{
    /// <summary>The refusal every shard store gives a superseded writer.</summary>
    public static ShardWriterFencedException Of(string shardKey) =>
        new($"Shard {shardKey} has a newer writer than this replica-0 activation; nothing was written. The write is retried on the current one.");
}
