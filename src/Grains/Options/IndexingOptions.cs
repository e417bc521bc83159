using RerankCluster.Configuration;

namespace RerankCluster.Grains.Options;

/// <summary>How documents are split and spread (section <c>Indexing</c>).</summary>
public sealed class IndexingOptions : ISelfValidatingOptions
{
    public const string Section = "Indexing";

    public int DefaultShards { get; set; } = 4;

    public int MaxShards { get; set; } = 64;

    /// <summary>Replicas of each shard for an index that asks for none: this many when as many shard silos are active, else fewer.</summary>
    public int DefaultReplicas { get; set; } = 2;

    public int MaxReplicas { get; set; } = 3;

    /// <summary>How long replica 0 waits for another replica to apply a write; one that has not is reloaded from storage on its next write.</summary>
    public TimeSpan ReplicaApplyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A shard replica that has not answered a search by then is joined by another replica (the first answer wins).</summary>
    public TimeSpan ShardHedgeDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Tokens per chunk; 0 means the bi-encoder's maximum length less its two special tokens.</summary>
    public int ChunkTokens { get; set; }

    /// <summary>Tokens repeated between consecutive chunks of a long document.</summary>
    public int ChunkOverlapTokens { get; set; } = 32;

    /// <summary>
    /// Chunks per embedding call, and per slice an upsert job stores at once (a longer document is a slice
    /// of its own, embedded in several calls): what bounds every grain call of an upsert, whatever its size.
    /// </summary>
    public int EmbedBatchChunks { get; set; } = 64;

    /// <summary>Embedding calls one upsert job keeps in flight per embedding silo.</summary>
    public int EmbedCallsPerSilo { get; set; } = 2;

    /// <summary>How long an upsert waits for its job before answering 202 with the job to follow.</summary>
    public TimeSpan UpsertWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an upsert slice keeps retrying a write that failed because a silo left (until membership
    /// moves its work): longer than the cluster takes to declare a dead silo, so a silo loss fails no write.
    /// </summary>
    public TimeSpan WriteRetryWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Chunks from which a shard's dense search also builds an HNSW graph (on a thread of its own, from a
    /// snapshot; the exact scan answers meanwhile) and answers unfiltered searches from it; filtered ones
    /// stay exact. 0: exact only.
    /// </summary>
    public int AnnMinChunks { get; set; } = 50_000;

    /// <summary>The graph's search width (HNSW's ef): wider is better recall, slower.</summary>
    public int AnnExpansionSearch { get; set; } = 512;

    /// <summary>How long a finished job's status stays readable.</summary>
    public TimeSpan JobRetention { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<string> Validate()
    {
        if (MaxShards is < 1 or > 1024)
        {
            yield return $"{Section}:MaxShards must be between 1 and 1024 (got {MaxShards}).";
        }

        if (MaxReplicas is < 1 or > 16)
        {
            yield return $"{Section}:MaxReplicas must be between 1 and 16 (got {MaxReplicas}).";
        }

        if (DefaultReplicas < 1 || DefaultReplicas > MaxReplicas)
        {
            yield return $"{Section}:DefaultReplicas must be between 1 and {Section}:MaxReplicas ({MaxReplicas}) (got {DefaultReplicas}).";
        }

        if (ReplicaApplyTimeout <= TimeSpan.Zero || ReplicaApplyTimeout > TimeSpan.FromMinutes(5))
        {
            yield return $"{Section}:ReplicaApplyTimeout must be above 0 and at most 5 minutes (got {ReplicaApplyTimeout}).";
        }

        if (ShardHedgeDelay <= TimeSpan.Zero || ShardHedgeDelay > TimeSpan.FromMinutes(1))
        {
            yield return $"{Section}:ShardHedgeDelay must be above 0 and at most 1 minute (got {ShardHedgeDelay}).";
        }

        if (DefaultShards < 1 || DefaultShards > MaxShards)
        {
            yield return $"{Section}:DefaultShards must be between 1 and {Section}:MaxShards ({MaxShards}) (got {DefaultShards}).";
        }

        if (ChunkTokens != 0 && ChunkTokens < 16)
        {
            yield return $"{Section}:ChunkTokens must be 0 (automatic) or at least 16 (got {ChunkTokens}).";
        }

        if (ChunkOverlapTokens < 0 || (ChunkTokens != 0 && ChunkOverlapTokens >= ChunkTokens))
        {
            yield return $"{Section}:ChunkOverlapTokens must be at least 0 and below {Section}:ChunkTokens (got {ChunkOverlapTokens}).";
        }

        if (EmbedBatchChunks is < 1 or > 4096)
        {
            yield return $"{Section}:EmbedBatchChunks must be between 1 and 4096 (got {EmbedBatchChunks}).";
        }

        if (EmbedCallsPerSilo is < 1 or > 64)
        {
            yield return $"{Section}:EmbedCallsPerSilo must be between 1 and 64 (got {EmbedCallsPerSilo}).";
        }

        if (AnnMinChunks < 0)
        {
            yield return $"{Section}:AnnMinChunks must be at least 0 (got {AnnMinChunks}).";
        }

        if (AnnExpansionSearch is < 16 or > 4096)
        {
            yield return $"{Section}:AnnExpansionSearch must be between 16 and 4096 (got {AnnExpansionSearch}).";
        }

        if (WriteRetryWindow < TimeSpan.Zero || WriteRetryWindow > TimeSpan.FromMinutes(10))
        {
            yield return $"{Section}:WriteRetryWindow must be between 0 and 10 minutes (got {WriteRetryWindow}).";
        }

        // The wait is one grain call: it must end well inside Orleans' response timeout (30 s by default).
        if (UpsertWait < TimeSpan.Zero || UpsertWait > TimeSpan.FromSeconds(20))
        {
            yield return $"{Section}:UpsertWait must be between 0 and 20 seconds (got {UpsertWait}).";
        }

        if (JobRetention < TimeSpan.FromMinutes(1) || JobRetention > TimeSpan.FromDays(7))
        {
            yield return $"{Section}:JobRetention must be between 1 minute and 7 days (got {JobRetention}).";
        }
    }
}
