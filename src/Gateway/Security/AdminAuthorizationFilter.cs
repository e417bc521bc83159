using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Gateway.Errors;

namespace RerankCluster.Gateway.Security;

/// <summary>Admin routes: the configured admin key, compared in constant time; refused outright when none is configured.</summary>
public sealed class AdminAuthorizationFilter(IOptions<GatewayOptions> options, ApiKeyResolver keys) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!options.Value.RequiresKeys)
        {
            throw new ForbiddenException("Admin routes are disabled: set RERANK_ADMIN_KEY (Gateway:AdminKey) to manage tenants.");
        }

        var key = TenantAuthorizationFilter.BearerKey(context.HttpContext);
        if (key is null || !keys.IsAdmin(key))
        {
            throw new UnauthorizedException("This route needs the admin key.");
        }

        return await next(context);
    }
}
