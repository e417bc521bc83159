using RerankCluster.Gateway.Contracts;
using RerankCluster.Gateway.Security;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Endpoints;

/// <summary>/v1/tenants: admin-only tenant creation.</summary>
public static class TenantEndpoints
{
    public static IEndpointRouteBuilder MapTenantEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1/tenants").AddEndpointFilter<AdminAuthorizationFilter>().WithTags("admin");
        admin.MapPost("", async (CreateTenantBody body, IGrainFactory grains) =>
        {
            var tenant = body.Tenant ?? throw new ArgumentException("tenant is required.");
            IndexKey.RequireName(tenant, "tenant");
            var key = await grains.GetGrain<ITenantGrain>(tenant).Create();
            return Results.Created($"/v1/tenants/{tenant}", new TenantCreatedBody(tenant, key, ApiKeys.Id(key)));
        });

        // Rotation: issue a new key, move clients to it, then revoke the old one by its id.
        admin.MapPost("/{tenant}/keys", async (string tenant, IGrainFactory grains) =>
        {
            IndexKey.RequireName(tenant, "tenant");
            var key = await grains.GetGrain<ITenantGrain>(tenant).IssueKey();
            return Results.Created($"/v1/tenants/{tenant}/keys/{ApiKeys.Id(key)}", new TenantCreatedBody(tenant, key, ApiKeys.Id(key)));
        });

        admin.MapDelete("/{tenant}/keys/{keyId}", async (string tenant, string keyId, IGrainFactory grains, ApiKeyResolver keys) =>
        {
            IndexKey.RequireName(tenant, "tenant");
            var grain = grains.GetGrain<ITenantGrain>(tenant);
            if (!await grain.RevokeKey(keyId))
            {
                throw new NotFoundException($"Tenant '{tenant}' has no key with id '{keyId}'.");
            }

            keys.ForgetId(keyId);
            return Results.NoContent();
        });
        return app;
    }
}
