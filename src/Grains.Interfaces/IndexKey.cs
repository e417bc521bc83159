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
