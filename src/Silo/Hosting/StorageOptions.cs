using RerankCluster.Configuration;

namespace RerankCluster.Silo.Hosting;

public enum StorageProvider
{
    /// <summary>Process memory: the embedded mode; nothing survives the process.</summary>
    Memory,

    /// <summary>Redis: shard contents and index settings survive silo crashes.</summary>
    Redis,
}

/// <summary>Where shards and grain state are kept (section <c>Storage</c>).</summary>
public sealed class StorageOptions : ISelfValidatingOptions
{
    public const string Section = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Memory;

    /// <summary>Defaults to Clustering:RedisConnectionString.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>Prefix of every key this cluster writes, so several clusters can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "rerank";

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(KeyPrefix) || KeyPrefix.Contains(' '))
        {
            yield return $"{Section}:KeyPrefix must be a non-empty word (got '{KeyPrefix}').";
        }
    }
}
