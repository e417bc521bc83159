using RerankCluster.Configuration;

namespace RerankCluster.Grains.Caching;

/// <summary>Per-silo caches, bounded by entry count (section <c>Cache</c>); 0 turns one off.</summary>
public sealed class CacheOptions : ISelfValidatingOptions
{
    public const string Section = "Cache";

    /// <summary>Query embeddings kept (1.5 KiB each for 384 dimensions).</summary>
    public int QueryEmbeddings { get; set; } = 10_000;

    /// <summary>(model, query, passage) → logit entries kept (about 64 bytes each).</summary>
    public int Scores { get; set; } = 200_000;

    public IEnumerable<string> Validate()
    {
        if (QueryEmbeddings is < 0 or > 10_000_000)
        {
            yield return $"{Section}:QueryEmbeddings must be between 0 and 10000000 (got {QueryEmbeddings}).";
        }

        if (Scores is < 0 or > 100_000_000)
        {
            yield return $"{Section}:Scores must be between 0 and 100000000 (got {Scores}).";
        }
    }
}
