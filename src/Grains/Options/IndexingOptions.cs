using RerankCluster.Configuration;

namespace RerankCluster.Grains.Options;

/// <summary>How documents are split and spread (section <c>Indexing</c>).</summary>
public sealed class IndexingOptions : ISelfValidatingOptions
{
    public const string Section = "Indexing";

    public int DefaultShards { get; set; } = 4;

    public int MaxShards { get; set; } = 64;

    /// <summary>Tokens per chunk; 0 means the bi-encoder's maximum length less its two special tokens.</summary>
    public int ChunkTokens { get; set; }

    /// <summary>Tokens repeated between consecutive chunks of a long document.</summary>
    public int ChunkOverlapTokens { get; set; } = 32;

    /// <summary>Documents embedded per call to an embedding worker.</summary>
    public int EmbedBatchDocuments { get; set; } = 64;

    public IEnumerable<string> Validate()
    {
        if (MaxShards is < 1 or > 1024)
        {
            yield return $"{Section}:MaxShards must be between 1 and 1024 (got {MaxShards}).";
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

        if (EmbedBatchDocuments is < 1 or > 4096)
        {
            yield return $"{Section}:EmbedBatchDocuments must be between 1 and 4096 (got {EmbedBatchDocuments}).";
        }
    }
}
