using RerankCluster.Configuration;

namespace RerankCluster.Grains.Quotas;

/// <summary>Per-tenant storage quotas, enforced cluster-wide by <see cref="QuotaGrain"/>.</summary>
public sealed class QuotaOptions : ISelfValidatingOptions
{
    public const string Section = "Quotas";

    public int MaxIndexes { get; set; } = 100;

    public long MaxDocuments { get; set; } = 10_000_000;

    public IEnumerable<string> Validate()
    {
        if (MaxIndexes < 1)
        {
            yield return $"{Section}:MaxIndexes must be at least 1 (got {MaxIndexes}).";
        }

        if (MaxDocuments < 1)
        {
            yield return $"{Section}:MaxDocuments must be at least 1 (got {MaxDocuments}).";
        }
    }
}
