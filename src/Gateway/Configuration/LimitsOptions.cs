using RerankCluster.Configuration;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Configuration;

/// <summary>Bounds on what one request may ask for (section <c>Limits</c>); each error names its setting.</summary>
public sealed class LimitsOptions : ISelfValidatingOptions
{
    public const string Section = "Limits";

    public long MaxRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    public int MaxDocumentsPerRequest { get; set; } = 1000;

    /// <summary>Characters of one document's text (ingestion) or one rerank document.</summary>
    public int MaxTextCharacters { get; set; } = 200_000;

    public int MaxRerankDocuments { get; set; } = RerankLimits.MaxDocuments;

    public int MaxTopN { get; set; } = 1000;

    public int MaxCandidates { get; set; } = SearchLimits.MaxCandidates;

    /// <summary>Sustained requests per second one tenant may send to this gateway.</summary>
    public int RequestsPerSecond { get; set; } = 200;

    /// <summary>Requests a tenant may send at once above the sustained rate.</summary>
    public int Burst { get; set; } = 400;

    /// <summary>
    /// How long a gateway waits for a lease of the tenant's cluster-wide rate; past it (the quota's silo
    /// stalled or just lost) the request is admitted on a local lease, as Envoy's global rate limit fails open.
    /// </summary>
    public TimeSpan RateLeaseTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Requests one gateway serves at once (all tenants); past it, 429 at once (reported as TEI's <c>max_concurrent_requests</c>).</summary>
    public int MaxConcurrentRequests { get; set; } = 512;

    public static string BodyTooLarge(long limit) =>
        $"The request body is larger than {Section}:{nameof(MaxRequestBodyBytes)} ({limit} bytes).";

    public IEnumerable<string> Validate()
    {
        if (MaxRequestBodyBytes < 1024)
        {
            yield return $"{Section}:MaxRequestBodyBytes must be at least 1024 (got {MaxRequestBodyBytes}).";
        }

        if (RateLeaseTimeout <= TimeSpan.Zero || RateLeaseTimeout > TimeSpan.FromSeconds(30))
        {
            yield return $"{Section}:RateLeaseTimeout must be above 0 and at most 30 seconds (got {RateLeaseTimeout}).";
        }

        foreach (var (name, value, max) in new[]
                 {
                     (nameof(MaxDocumentsPerRequest), MaxDocumentsPerRequest, 100_000),
                     (nameof(MaxTextCharacters), MaxTextCharacters, 10_000_000),
                     (nameof(MaxRerankDocuments), MaxRerankDocuments, RerankLimits.MaxDocuments),
                     (nameof(MaxTopN), MaxTopN, 100_000),
                     (nameof(MaxCandidates), MaxCandidates, SearchLimits.MaxCandidates),
                     (nameof(RequestsPerSecond), RequestsPerSecond, 1_000_000),
                     (nameof(Burst), Burst, 1_000_000),
                     (nameof(MaxConcurrentRequests), MaxConcurrentRequests, 1_000_000),
                 })
        {
            if (value < 1 || value > max)
            {
                yield return $"{Section}:{name} must be between 1 and {max} (got {value}).";
            }
        }
    }
}
