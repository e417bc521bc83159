using System.Security.Cryptography;
using System.Text;

namespace RerankCluster.Grains.Interfaces;

/// <summary>A tenant: the owner of indexes, known by API keys of which only hashes are stored.</summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Creates the tenant and returns its first API key; the key is never stored or shown again.</summary>
    Task<string> Create();

    Task<bool> Exists();

    /// <summary>Issues one more key (for rotation: issue, deploy, then revoke the old one).</summary>
    Task<string> IssueKey();

    /// <summary>Revokes the key with this id (<see cref="ApiKeys.Id"/>); false when the tenant has no such key.</summary>
    Task<bool> RevokeKey(string keyId);
}

/// <summary>One API key, keyed by its SHA-256 hash: which tenant it belongs to.</summary>
public interface IApiKeyGrain : IGrainWithStringKey
{
    Task Assign(string tenant);

    Task Revoke();

    Task<string?> Tenant();
}

public static class ApiKeys
{
    public const string Prefix = "rk_";

    /// <summary>A key's public name: the first 12 hex digits of its hash, safe to show and log.</summary>
    public static string Id(string key) => Hash(key)[..12];

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string NewKey() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
