using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Gateway.Errors;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Security;

/// <summary>
/// Authenticates every tenant route: `Authorization: Bearer &lt;key&gt;` must be a tenant's key (401
/// otherwise), then applies the tenant's rate limit (429 with Retry-After). Without a configured admin
/// key the gateway is open and requests belong to the tenant "default". Refusals are thrown, so that
/// <see cref="ErrorMapping"/> answers them like every other error.
/// </summary>
public sealed class TenantAuthorizationFilter(IOptions<GatewayOptions> options, ApiKeyResolver keys, TenantRateLimiter limiter) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        string tenant;
        if (!options.Value.RequiresKeys)
        {
            tenant = RequestTenant.OpenModeTenant;
        }
        else
        {
            var key = BearerKey(http);
            if (key is null)
            {
                throw new UnauthorizedException("An API key is required: send Authorization: Bearer <key>.");
            }

            if (keys.IsAdmin(key))
            {
                throw new ForbiddenException("The admin key manages tenants; use a tenant's API key for this route.");
            }

            var resolved = await keys.TenantOf(key);
            if (resolved is null)
            {
                throw new UnauthorizedException("The API key is not valid.");
            }

            tenant = resolved;
        }

        var (acquired, retryAfter) = await limiter.TryAcquireAsync(tenant);
        if (!acquired)
        {
            throw new OverloadedException(
                "This tenant is over its cluster-wide request rate (Limits:RequestsPerSecond, Limits:Burst); retry after the Retry-After delay.", retryAfter);
        }

        http.SetTenant(tenant);
        return await next(context);
    }

    internal static string? BearerKey(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header.Length > scheme.Length
            ? header[scheme.Length..].Trim()
            : null;
    }
}
