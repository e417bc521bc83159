using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace RerankCluster.Grains.Caching;

/// <summary>Per-silo caches, bounded by entry count (section <c>Cache</c>); 0 turns one off.</summary>
public sealed class CacheOptions : IValidatableObject
{
    public const string Section = "Cache";

    /// <summary>Query embeddings kept (1.5 KiB each for 384 dimensions); 0 turns the cache off.</summary>
    public int QueryEmbeddings { get; set; } = 10_000;

    /// <summary>(model, query, passage) → logit entries kept (about 64 bytes each); 0 turns the cache off.</summary>
    public int Scores { get; set; } = 200_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The LRU splits its capacity into hot, warm and cold queues, so it holds at least 3 entries.
        if (QueryEmbeddings is < 0 or 1 or 2 or > 10_000_000)
        {
            yield return new ValidationResult($"{Section}:QueryEmbeddings must be 0 (off) or between 3 and 10000000 (got {QueryEmbeddings}).");
        }

        if (Scores is < 0 or 1 or 2 or > 100_000_000)
        {
            yield return new ValidationResult($"{Section}:Scores must be 0 (off) or between 3 and 100000000 (got {Scores}).");
        }
    }
}

[OptionsValidator]
public sealed partial class CacheOptionsValidator : IValidateOptions<CacheOptions>;
