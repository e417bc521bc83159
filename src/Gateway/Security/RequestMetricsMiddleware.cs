using Microsoft.AspNetCore.Routing;
using RerankCluster.Configuration.Telemetry;

namespace RerankCluster.Gateway.Security;

/// <summary>Counts every request by route pattern (never the raw path, which holds tenant data) and status.</summary>
public sealed class RequestMetricsMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext http)
    {
        try
        {
            await next(http);
        }
        finally
        {
            var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            RerankTelemetry.Requests.Add(1, new KeyValuePair<string, object?>("route", route),
                new KeyValuePair<string, object?>("status", http.Response.StatusCode));
        }
    }
}
