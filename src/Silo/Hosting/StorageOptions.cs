using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using RerankCluster.Grains.Storage;

namespace RerankCluster.Silo.Hosting;

public enum StorageProvider
{
    /// <summary>Process memory: the embedded mode; nothing survives the process.</summary>
    Memory,

    /// <summary>Redis: shard contents and index settings survive silo crashes.</summary>
    Redis,
}

/// <summary>Where shards and grain state are kept (section <c>Storage</c>).</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Memory;

    /// <summary>Defaults to Clustering:RedisConnectionString.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>Prefix of every key this cluster writes, so several clusters can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "rerank";

    /// <summary>What a shard write must reach before it is acknowledged (Redis only).</summary>
    public StorageDurability Durability { get; set; } = StorageDurability.Default;

    /// <summary>With Durability Replicas: how many replicas must confirm each write (WAIT's numreplicas).</summary>
    public int Replicas { get; set; } = 1;

    /// <summary>With Durability Replicas: how long a write waits for them before it fails unacknowledged (503).</summary>
    public TimeSpan ReplicaTimeout { get; set; } = TimeSpan.FromSeconds(1);

    public RedisDurability RedisDurability() => new(Durability, Replicas, ReplicaTimeout);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Durability != StorageDurability.Default && Provider != StorageProvider.Redis)
        {
            yield return new ValidationResult($"{Section}:Durability {Durability} needs {Section}:Provider Redis (got {Provider}).");
        }

        if (Durability == StorageDurability.Replicas && Replicas < 1)
        {
            yield return new ValidationResult($"{Section}:Replicas must be at least 1 when {Section}:Durability is Replicas (got {Replicas}).");
        }

        if (Durability == StorageDurability.Replicas && (ReplicaTimeout < TimeSpan.FromMilliseconds(1) || ReplicaTimeout > TimeSpan.FromMinutes(1)))
        {
            yield return new ValidationResult($"{Section}:ReplicaTimeout must be between 1 ms and 1 minute (got {ReplicaTimeout}).");
        }

        if (string.IsNullOrWhiteSpace(KeyPrefix) || KeyPrefix.Contains(' '))
        {
            yield return new ValidationResult($"{Section}:KeyPrefix must be a non-empty word (got '{KeyPrefix}').");
        }
    }
}

[OptionsValidator]
public sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;
