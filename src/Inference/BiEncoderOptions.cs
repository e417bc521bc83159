using RerankCluster.Configuration;

namespace RerankCluster.Inference;

/// <summary>The stage-1 embedding model (section <c>BiEncoder</c>).</summary>
public sealed class BiEncoderOptions : ISelfValidatingOptions
{
    public const string Section = "BiEncoder";

    /// <summary>A model directory or a hub id; empty means the shipped all-MiniLM-L6-v2.</summary>
    public string? Model { get; set; }

    /// <summary>Further models (directories or hub ids) an index may name as its bi_encoder; loaded on first use.</summary>
    public string[] Allowed { get; set; } = [];

    public int MaxLength { get; set; } = 256;

    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// Longest one ingestion call may hold the bi-encoder at its measured speed: a search's query embedding,
    /// which goes first, waits at most this long behind ingestion. Smaller calls cost some throughput. 0: BatchSize rows.
    /// </summary>
    public TimeSpan MaxBulkCallTime { get; set; } = TimeSpan.FromMilliseconds(100);

    public IEnumerable<string> Validate()
    {
        if (MaxLength is < 8 or > 512)
        {
            yield return $"{Section}:MaxLength must be between 8 and 512 (got {MaxLength}).";
        }

        if (BatchSize is < 1 or > 1024)
        {
            yield return $"{Section}:BatchSize must be between 1 and 1024 (got {BatchSize}).";
        }

        if (MaxBulkCallTime < TimeSpan.Zero || MaxBulkCallTime > TimeSpan.FromMinutes(1))
        {
            yield return $"{Section}:MaxBulkCallTime must be between 0 and 1 minute (got {MaxBulkCallTime}).";
        }
    }
}
