using Microsoft.Extensions.Options;
using RerankCluster.Configuration;

namespace RerankCluster.Grains.Quotas;

/// <summary>Per-tenant storage quotas, enforced cluster-wide by <see cref="QuotaGrain"/>.</summary>
public sealed class QuotaOptions
{
    public const string Section = "Quotas";

    [SettingRange(1, int.MaxValue, ErrorMessage = "Quotas:MaxIndexes must be at least {1}")]
    public int MaxIndexes { get; set; } = 100;

    [SettingRange(1L, long.MaxValue, ErrorMessage = "Quotas:MaxDocuments must be at least {1}")]
    public long MaxDocuments { get; set; } = 10_000_000;
}

[OptionsValidator]
public sealed partial class QuotaOptionsValidator : IValidateOptions<QuotaOptions>;
