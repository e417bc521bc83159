using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using RerankCluster.Configuration;

namespace RerankCluster.Grains.Options;

/// <summary>How documents are split and spread (section <c>Indexing</c>).</summary>
public sealed class IndexingOptions : IValidatableObject
{
    public const string Section = "Indexing";

    public int DefaultShards { get; set; } = 4;

    [SettingRange(1, 1024, ErrorMessage = "Indexing:MaxShards must be between {1} and {2}")]
    public int MaxShards { get; set; } = 64;

    /// <summary>Replicas of each shard for an index that asks for none: this many when as many shard silos are active, else fewer.</summary>
    public int DefaultReplicas { get; set; } = 2;

    [SettingRange(1, 16, ErrorMessage = "Indexing:MaxReplicas must be between {1} and {2}")]
    public int MaxReplicas { get; set; } = 3;

    /// <summary>How long replica 0 waits for another replica to apply a write; one that has not is reloaded from storage on its next write.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:05:00", MinimumIsExclusive = true, ErrorMessage = "Indexing:ReplicaApplyTimeout must be above 0 and at most 5 minutes")]
    public TimeSpan ReplicaApplyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A shard replica that has not answered a search by then is joined by another replica (the first answer wins).</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:01:00", MinimumIsExclusive = true, ErrorMessage = "Indexing:ShardHedgeDelay must be above 0 and at most 1 minute")]
    public TimeSpan ShardHedgeDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Tokens per chunk; 0 means the bi-encoder's maximum length less its two special tokens.</summary>
    public int ChunkTokens { get; set; }

    /// <summary>Tokens repeated between consecutive chunks of a long document.</summary>
    public int ChunkOverlapTokens { get; set; } = 32;

    /// <summary>
    /// Chunks per embedding call, and per slice an upsert job stores at once (a longer document is a slice
    /// of its own, embedded in several calls): what bounds every grain call of an upsert, whatever its size.
    /// </summary>
    [SettingRange(1, 4096, ErrorMessage = "Indexing:EmbedBatchChunks must be between {1} and {2}")]
    public int EmbedBatchChunks { get; set; } = 64;

    /// <summary>Embedding calls one upsert job keeps in flight per embedding silo.</summary>
    [SettingRange(1, 64, ErrorMessage = "Indexing:EmbedCallsPerSilo must be between {1} and {2}")]
    public int EmbedCallsPerSilo { get; set; } = 2;

    /// <summary>
    /// How long an upsert waits for its job before answering 202 with the job to follow. The wait is one grain
    /// call: it must end well inside Orleans' response timeout (30 s by default).
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:00:20", ErrorMessage = "Indexing:UpsertWait must be between 0 and 20 seconds")]
    public TimeSpan UpsertWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an upsert slice keeps retrying a write that failed because a silo left (until membership
    /// moves its work): longer than the cluster takes to declare a dead silo, so a silo loss fails no write.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Indexing:WriteRetryWindow must be between 0 and 10 minutes")]
    public TimeSpan WriteRetryWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Chunks from which a shard's dense search also builds an HNSW graph (on a thread of its own, from a
    /// snapshot; the exact scan answers meanwhile) and answers unfiltered searches from it; filtered ones
    /// stay exact. 0: exact only.
    /// </summary>
    [SettingRange(0, int.MaxValue, ErrorMessage = "Indexing:AnnMinChunks must be at least {1}")]
    public int AnnMinChunks { get; set; } = 50_000;

    /// <summary>The graph's search width (HNSW's ef): wider is better recall, slower.</summary>
    [SettingRange(16, 4096, ErrorMessage = "Indexing:AnnExpansionSearch must be between {1} and {2}")]
    public int AnnExpansionSearch { get; set; } = 512;

    /// <summary>How long a finished job's status stays readable.</summary>
    [SettingRange(typeof(TimeSpan), "00:01:00", "7.00:00:00", ErrorMessage = "Indexing:JobRetention must be between 1 minute and 7 days")]
    public TimeSpan JobRetention { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DefaultReplicas < 1 || DefaultReplicas > MaxReplicas)
        {
            yield return new ValidationResult($"{Section}:DefaultReplicas must be between 1 and {Section}:MaxReplicas ({MaxReplicas}) (got {DefaultReplicas}).");
        }

        if (DefaultShards < 1 || DefaultShards > MaxShards)
        {
            yield return new ValidationResult($"{Section}:DefaultShards must be between 1 and {Section}:MaxShards ({MaxShards}) (got {DefaultShards}).");
        }

        if (ChunkTokens != 0 && ChunkTokens < 16)
        {
            yield return new ValidationResult($"{Section}:ChunkTokens must be 0 (automatic) or at least 16 (got {ChunkTokens}).");
        }

        if (ChunkOverlapTokens < 0 || (ChunkTokens != 0 && ChunkOverlapTokens >= ChunkTokens))
        {
            yield return new ValidationResult($"{Section}:ChunkOverlapTokens must be at least 0 and below {Section}:ChunkTokens (got {ChunkOverlapTokens}).");
        }
    }
}

[OptionsValidator]
public sealed partial class IndexingOptionsValidator : IValidateOptions<IndexingOptions>;
