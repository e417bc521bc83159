using System.Text.RegularExpressions;

namespace RerankCluster.Grains.Interfaces;

/// <summary>
/// Names a tenant's index and its shards in grain keys ("tenant/index", "tenant/index/3"). Names are
/// restricted so that a key can never be confused with another tenant's.
/// </summary>
public static partial class IndexKey
{
    public const int MaxNameLength = 64;

    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    public static string For(string tenant, string index)
    {
        RequireName(tenant, "tenant");
        RequireName(index, "index");
        return $"{tenant}/{index}";
    }

    public static string Shard(string indexKey, int shard) => $"{indexKey}/{shard}";

    /// <summary>Replica <paramref name="replica"/> of a shard: replica 0 is the shard's own key ("tenant/index/3"), the others "tenant/index/3/r1".</summary>
    public static string Replica(string indexKey, int shard, int replica) =>
        replica == 0 ? Shard(indexKey, shard) : $"{Shard(indexKey, shard)}/r{replica}";

    /// <summary>The shard key and replica number of a replica's key.</summary>
    public static (string ShardKey, int Replica) ParseReplica(string replicaKey)
    {
        var separator = replicaKey.LastIndexOf('/');
        return separator > 0 && replicaKey.AsSpan(separator + 1) is ['r', .. var number] && int.TryParse(number, out var replica) && replica > 0
            ? (replicaKey[..separator], replica)
            : (replicaKey, 0);
    }

    public static (string Tenant, string Index) Parse(string indexKey)
    {
        var parts = indexKey.Split('/');
        if (parts.Length != 2)
        {
            throw new ArgumentException($"'{indexKey}' is not an index key (tenant/index).", nameof(indexKey));
        }

        return (parts[0], parts[1]);
    }

    public static void RequireName(string? name, string what)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException(
                $"The {what} name '{name}' is invalid: use 1 to {MaxNameLength} characters of a-z, 0-9, '-' and '_', starting with a letter or digit.");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex NamePattern();
}
