using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Security;

/// <summary>
/// Turns a presented key into a tenant (or the admin). Keys are looked up by their SHA-256 hash, so
/// the cluster never sees or stores a key in clear; answers are cached briefly per gateway.
/// </summary>
public sealed class ApiKeyResolver(IGrainFactory grains, IOptions<GatewayOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, (string? Tenant, DateTimeOffset Expires)> _cache = new();

    public bool IsAdmin(string key)
    {
        var admin = options.Value.AdminKey;
        return admin is not null &&
               CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(key)), SHA256.HashData(Encoding.UTF8.GetBytes(admin)));
    }

    /// <summary>Forgets a revoked key at once on this gateway; other gateways notice within Gateway:KeyCacheTtl.</summary>
    public void ForgetId(string keyId)
    {
        foreach (var hash in _cache.Keys.Where(h => h.StartsWith(keyId, StringComparison.Ordinal)))
        {
            _cache.TryRemove(hash, out _);
        }
    }

    public async Task<string?> TenantOf(string key)
    {
        var hash = ApiKeys.Hash(key);
        var now = clock.GetUtcNow();
        var known = _cache.TryGetValue(hash, out var cached);
        if (known && cached.Expires > now)
        {
            return cached.Tenant;
        }

        var lookup = grains.GetGrain<IApiKeyGrain>(hash).Tenant();
        string? tenant;
        if (known)
        {
            try
            {
                tenant = await lookup.WaitAsync(options.Value.KeyLookupTimeout);
            }
            catch (Exception ex) when (ex is TimeoutException || ClusterChurn.Is(ex))
            {
                // The key's grain is on a stalled or lost silo: a key known a moment ago still stands, rather
                // than every request of the tenant waiting on that silo. The next request asks again.
                return cached.Tenant;
            }
        }
        else
        {
            tenant = await lookup;
        }

        _cache[hash] = (tenant, now + options.Value.KeyCacheTtl);
        return tenant;
    }
}
