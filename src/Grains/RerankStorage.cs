namespace RerankCluster.Grains;

/// <summary>Names of the grain storage providers the grains use.</summary>
public static class RerankStorage
{
    public const string Indexes = "indexes";

    public const string Tenants = "tenants";
}
