using Microsoft.Extensions.Options;
using RerankCluster.Configuration;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Configuration;

/// <summary>Bounds on what one request may ask for (section <c>Limits</c>); each error names its setting.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    [SettingRange(1024L, long.MaxValue, ErrorMessage = "Limits:MaxRequestBodyBytes must be at least {1}")]
    public long MaxRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    [SettingRange(1, 100_000, ErrorMessage = "Limits:MaxDocumentsPerRequest must be between {1} and {2}")]
    public int MaxDocumentsPerRequest { get; set; } = 1000;

    /// <summary>Characters of one document's text (ingestion) or one rerank document.</summary>
    [SettingRange(1, 10_000_000, ErrorMessage = "Limits:MaxTextCharacters must be between {1} and {2}")]
    public int MaxTextCharacters { get; set; } = 200_000;

    [SettingRange(1, RerankLimits.MaxDocuments, ErrorMessage = "Limits:MaxRerankDocuments must be between {1} and {2}")]
    public int MaxRerankDocuments { get; set; } = RerankLimits.MaxDocuments;

    [SettingRange(1, 100_000, ErrorMessage = "Limits:MaxTopN must be between {1} and {2}")]
    public int MaxTopN { get; set; } = 1000;

    [SettingRange(1, SearchLimits.MaxCandidates, ErrorMessage = "Limits:MaxCandidates must be between {1} and {2}")]
    public int MaxCandidates { get; set; } = SearchLimits.MaxCandidates;

    /// <summary>Sustained requests per second one tenant may send to this gateway.</summary>
    [SettingRange(1, 1_000_000, ErrorMessage = "Limits:RequestsPerSecond must be between {1} and {2}")]
    public int RequestsPerSecond { get; set; } = 200;

    /// <summary>Requests a tenant may send at once above the sustained rate.</summary>
    [SettingRange(1, 1_000_000, ErrorMessage = "Limits:Burst must be between {1} and {2}")]
    public int Burst { get; set; } = 400;

    /// <summary>
    /// How long a gateway waits for a lease of the tenant's cluster-wide rate; past it (the quota's silo
    /// stalled or just lost) the request is admitted on a local lease, as Envoy's global rate limit fails open.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:00:30", MinimumIsExclusive = true, ErrorMessage = "Limits:RateLeaseTimeout must be above 0 and at most 30 seconds")]
    public TimeSpan RateLeaseTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Requests one gateway serves at once (all tenants); past it, 429 at once (reported as TEI's <c>max_concurrent_requests</c>).</summary>
    [SettingRange(1, 1_000_000, ErrorMessage = "Limits:MaxConcurrentRequests must be between {1} and {2}")]
    public int MaxConcurrentRequests { get; set; } = 512;

    public static string BodyTooLarge(long limit) =>
        $"The request body is larger than {Section}:{nameof(MaxRequestBodyBytes)} ({limit} bytes).";
}

[OptionsValidator]
public sealed partial class LimitsOptionsValidator : IValidateOptions<LimitsOptions>;
