using System.Globalization;
using Microsoft.Extensions.Logging;
using RerankCluster.Grains.Interfaces;
using StackExchange.Redis;

namespace RerankCluster.Grains.Storage;

/// <summary>
/// Backs <see cref="StorageDurability"/> with Redis' own mechanisms: the server's fsync policy, checked
/// once at start-up, or WAIT after each shard write.
/// </summary>
public sealed class RedisDurability(StorageDurability mode, int replicas, TimeSpan replicaTimeout)
{
    public StorageDurability Mode => mode;

    /// <summary>
    /// Called after a write, on the same multiplexed connection (WAIT counts that connection's writes).
    /// WAIT blocks the connection until the replicas answer, so every command queued behind it waits too:
    /// the price of the replica guarantee, bounded by the timeout.
    /// </summary>
    public async Task Confirm(IDatabase database)
    {
        if (mode != StorageDurability.Replicas)
        {
            return;
        }

        var acknowledged = (long)await database.ExecuteAsync("WAIT", replicas, (long)replicaTimeout.TotalMilliseconds);
        if (acknowledged < replicas)
        {
            // Applied on the primary but not replicated: not acknowledged, and safe to re-send (an id replaces).
            throw new StorageUnavailableException(
                $"The write reached {acknowledged} of the {replicas} Redis replicas Storage:Replicas requires within {replicaTimeout.TotalMilliseconds:0} ms, so it was not acknowledged. Retry shortly.");
        }
    }

    /// <summary>
    /// Start-up check for Fsync: the server must persist every write before replying. A server that
    /// refuses CONFIG (managed Redis often renames it) or is down at start-up cannot be checked: that is a
    /// warning, not a stop.
    /// </summary>
    public async Task Verify(ConfigurationOptions connection, ILogger logger)
    {
        if (mode != StorageDurability.Fsync)
        {
            return;
        }

        // CONFIG is an admin command: a short-lived admin connection, so the serving one stays without it.
        var admin = connection.Clone();
        admin.AllowAdmin = true;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(admin);
        foreach (var endpoint in redis.GetEndPoints())
        {
            var server = redis.GetServer(endpoint);
            if (server.IsReplica)
            {
                continue;
            }

            KeyValuePair<string, string>[] config;
            try
            {
                config = await server.ConfigGetAsync("append*");
            }
            catch (RedisException ex)
            {
                logger.LogWarning("Storage:Durability is Fsync but Redis {Endpoint} could not be checked ({Error}): make sure it runs appendonly yes and appendfsync always.",
                    endpoint, ex.Message);
                continue;
            }

            var settings = config.ToDictionary(c => c.Key, c => c.Value, StringComparer.OrdinalIgnoreCase);
            var appendOnly = settings.GetValueOrDefault("appendonly", "?");
            var fsync = settings.GetValueOrDefault("appendfsync", "?");
            if (!string.Equals(appendOnly, "yes", StringComparison.OrdinalIgnoreCase) || !string.Equals(fsync, "always", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"Storage:Durability is Fsync but Redis {endpoint} runs appendonly {appendOnly}, appendfsync {fsync}: configure the server with appendonly yes and appendfsync always (redis.conf or --appendfsync always), or set Storage:Durability to Default."));
            }

            logger.LogInformation("Redis {Endpoint}: appendonly yes, appendfsync always; every acknowledged write is on disk.", endpoint);
        }
    }
}
