using System.Text;
using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;

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
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "The dashboard is disabled: set RERANK_ADMIN_KEY (Gateway:AdminKey) to open it.").ExecuteAsync(http);
            return;
        }

        var presented = TenantAuthorizationFilter.BearerKey(http) ?? BasicPassword(http);
        if (presented is null || !keys.IsAdmin(presented))
        {
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"rerank-dashboard\"";
            await TenantAuthorizationFilter.Unauthorized("The dashboard needs the admin key.").ExecuteAsync(http);
            return;
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
