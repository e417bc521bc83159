using RerankCluster.Gateway.Contracts;
using RerankCluster.Gateway.Security;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Endpoints;

/// <summary>/v1/tenants: admin-only tenant creation.</summary>
public static class TenantEndpoints
{
    public static IEndpointRouteBuilder MapTenantEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/tenants", async (CreateTenantBody body, IGrainFactory grains) =>
            {
                var tenant = body.Tenant ?? throw new ArgumentException("tenant is required.");
                IndexKey.RequireName(tenant, "tenant");
                var key = await grains.GetGrain<ITenantGrain>(tenant).Create();
                return Results.Created($"/v1/tenants/{tenant}", new TenantCreatedBody(tenant, key));
            })
            .AddEndpointFilter<AdminAuthorizationFilter>()
            .WithTags("admin");
        return app;
    }
}
