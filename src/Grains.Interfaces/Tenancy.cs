using System.Security.Cryptography;
using System.Text;

namespace RerankCluster.Grains.Interfaces;

/// <summary>A tenant: the owner of indexes, known by API keys of which only hashes are stored.</summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Creates the tenant and returns its first API key; the key is never stored or shown again.</summary>
    Task<string> Create();

    Task<bool> Exists();
}

/// <summary>One API key, keyed by its SHA-256 hash: which tenant it belongs to.</summary>
public interface IApiKeyGrain : IGrainWithStringKey
{
    Task Assign(string tenant);

    Task<string?> Tenant();
}

public static class ApiKeys
{
    public const string Prefix = "rk_";

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string NewKey() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
