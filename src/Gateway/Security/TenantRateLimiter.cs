using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Security;

/// <summary>
/// A tenant's request rate, cluster-wide: the tokens (Limits:RequestsPerSecond sustained, Limits:Burst at
/// once) live in the tenant's <see cref="IQuotaGrain"/>, and each gateway leases them a tenth of a
/// second's worth at a time, so N gateways share one limit without a grain call per request. A lease
/// left unused for a second lapses, so an idle gateway cannot hoard.
/// </summary>
public sealed class TenantRateLimiter(IOptions<LimitsOptions> limits, IGrainFactory grains, ILogger<TenantRateLimiter> logger)
{
    private static readonly TimeSpan LeaseLifetime = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, Lease> _leases = new();

    /// <summary>Takes one request's token; when none is left anywhere in the cluster, says after how long to retry.</summary>
    public async ValueTask<(bool Acquired, TimeSpan RetryAfter)> TryAcquireAsync(string tenant)
    {
        var lease = _leases.GetOrAdd(tenant, _ => new Lease());
        if (lease.TryTake())
        {
            return (true, TimeSpan.Zero);
        }

        var perSecond = limits.Value.RequestsPerSecond;
        var chunk = Math.Max(1, perSecond / 10);
        RequestLease granted;
        try
        {
            granted = await grains.GetGrain<IQuotaGrain>(tenant).LeaseRequests(chunk, perSecond, limits.Value.Burst)
                .WaitAsync(limits.Value.RateLeaseTimeout);
        }
        catch (Exception ex) when (ex is TimeoutException || ClusterChurn.Is(ex))
        {
            // Fail open: a stalled or lost quota silo must not stall every request of the tenant. This gateway
            // grants itself one lease's worth, the most it would have held anyway, until the quota answers again.
            logger.LogWarning("The rate quota of tenant {Tenant} did not answer ({Error}); admitting on a local lease", tenant, ex.GetType().Name);
            granted = new RequestLease(chunk, TimeSpan.Zero);
        }

        if (granted.Granted == 0)
        {
            return (false, granted.RetryAfter);
        }

        // This request takes one of the tokens; the rest serve the next requests on this gateway.
        lease.Refill(granted.Granted - 1);
        return (true, TimeSpan.Zero);
    }

    private sealed class Lease
    {
        private int _tokens;
        private long _leasedAt;

        public bool TryTake()
        {
            lock (this)
            {
                if (_tokens <= 0 || Stopwatch.GetElapsedTime(_leasedAt) > LeaseLifetime)
                {
                    _tokens = 0;
                    return false;
                }

                _tokens--;
                return true;
            }
        }

        public void Refill(int tokens)
        {
            lock (this)
            {
                _tokens += tokens;
                _leasedAt = Stopwatch.GetTimestamp();
            }
        }
    }
}
