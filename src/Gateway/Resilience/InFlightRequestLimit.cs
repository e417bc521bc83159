using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Resilience;

/// <summary>
/// Sheds load at the door: past <c>Limits:MaxConcurrentRequests</c> requests in flight on this gateway, a
/// request is refused at once with 429 and Retry-After instead of queueing in memory until every request is
/// slow (what TEI's router does with its permits). Probes (<see cref="IsExempt"/>) always pass, so
/// Kubernetes never restarts a gateway for being busy.
/// </summary>
public sealed class InFlightRequestLimit(RequestDelegate next, IOptions<LimitsOptions> limits) : IDisposable
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private readonly ConcurrencyLimiter _permits = new(new ConcurrencyLimiterOptions { PermitLimit = limits.Value.MaxConcurrentRequests, QueueLimit = 0 });
    private readonly int _limit = limits.Value.MaxConcurrentRequests;

    public static bool IsExempt(PathString path) =>
        path == "/healthz" || path == "/readyz" || path == "/health" || path == "/metrics";

    public async Task InvokeAsync(HttpContext http)
    {
        using var permit = _permits.AttemptAcquire();
        if (!permit.IsAcquired)
        {
            throw new OverloadedException(
                $"This gateway is already serving {LimitsOptions.Section}:{nameof(LimitsOptions.MaxConcurrentRequests)} ({_limit}) requests; retry shortly.", RetryAfter);
        }

        await next(http);
    }

    public void Dispose() => _permits.Dispose();
}
