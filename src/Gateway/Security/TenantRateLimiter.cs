using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;

namespace RerankCluster.Gateway.Security;

/// <summary>A token bucket per tenant on this gateway: Limits:RequestsPerSecond sustained, Limits:Burst at once.</summary>
public sealed class TenantRateLimiter(IOptions<LimitsOptions> limits)
{
    private readonly ConcurrentDictionary<string, TokenBucketRateLimiter> _buckets = new();

    /// <summary>Takes one request's token; when none is left, says after how long to retry.</summary>
    public bool TryAcquire(string tenant, out TimeSpan retryAfter)
    {
        var bucket = _buckets.GetOrAdd(tenant, _ => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.Value.Burst,
            TokensPerPeriod = limits.Value.RequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        using var lease = bucket.AttemptAcquire();
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        return lease.IsAcquired;
    }
}
