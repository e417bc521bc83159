namespace RerankCluster.Gateway.Contracts;

public sealed record CreateTenantBody(string? Tenant);

/// <param name="ApiKey">Shown once: only its hash is stored.</param>
public sealed record TenantCreatedBody(string Tenant, string ApiKey, string KeyId);
