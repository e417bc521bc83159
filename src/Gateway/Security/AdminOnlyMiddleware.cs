using System.Text;
using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Gateway.Errors;

namespace RerankCluster.Gateway.Security;

/// <summary>
/// Guards pages a browser opens (the Orleans dashboard): the admin key as a Bearer token, or as the
/// password of HTTP Basic authentication so that browsers prompt for it. Closed when no admin key is set.
/// </summary>
public sealed class AdminOnlyMiddleware(RequestDelegate next, IOptions<GatewayOptions> options, ApiKeyResolver keys)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (!options.Value.RequiresKeys)
        {
            throw new ForbiddenException("The dashboard is disabled: set RERANK_ADMIN_KEY (Gateway:AdminKey) to open it.");
        }

        var presented = TenantAuthorizationFilter.BearerKey(http) ?? BasicPassword(http);
        if (presented is null || !keys.IsAdmin(presented))
        {
            // Basic, so that a browser prompts for the key (as the password).
            throw new UnauthorizedException("The dashboard needs the admin key.", "Basic realm=\"rerank-dashboard\"");
        }

        await next(http);
    }

    private static string? BasicPassword(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':');
            return colon < 0 ? null : decoded[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
