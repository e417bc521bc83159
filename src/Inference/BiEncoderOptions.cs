using Microsoft.Extensions.Options;
using RerankCluster.Configuration;

namespace RerankCluster.Inference;

/// <summary>The stage-1 embedding model (section <c>BiEncoder</c>).</summary>
public sealed class BiEncoderOptions
{
    public const string Section = "BiEncoder";

    /// <summary>A model directory or a hub id; empty means the shipped all-MiniLM-L6-v2.</summary>
    public string? Model { get; set; }

    /// <summary>Further models (directories or hub ids) an index may name as its bi_encoder; loaded on first use.</summary>
    public string[] Allowed { get; set; } = [];

    [SettingRange(8, 512, ErrorMessage = "BiEncoder:MaxLength must be between {1} and {2}")]
    public int MaxLength { get; set; } = 256;

    [SettingRange(1, 1024, ErrorMessage = "BiEncoder:BatchSize must be between {1} and {2}")]
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// Longest one ingestion call may hold the bi-encoder at its measured speed: a search's query embedding,
    /// which goes first, waits at most this long behind ingestion. Smaller calls cost some throughput. 0: BatchSize rows.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "BiEncoder:MaxBulkCallTime must be between 0 and 1 minute")]
    public TimeSpan MaxBulkCallTime { get; set; } = TimeSpan.FromMilliseconds(100);
}

[OptionsValidator]
public sealed partial class BiEncoderOptionsValidator : IValidateOptions<BiEncoderOptions>;
