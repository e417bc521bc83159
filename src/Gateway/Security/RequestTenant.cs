namespace RerankCluster.Gateway.Security;

/// <summary>The tenant a request was authenticated as, kept on the HttpContext by <see cref="TenantAuthorizationFilter"/>.</summary>
public static class RequestTenant
{
    public const string OpenModeTenant = "default";
    private const string ItemKey = "rerank.tenant";

    public static string Tenant(this HttpContext context) =>
        context.Items[ItemKey] as string ?? throw new InvalidOperationException("The endpoint was mapped without tenant authorization.");

    internal static void SetTenant(this HttpContext context, string tenant) => context.Items[ItemKey] = tenant;
}
