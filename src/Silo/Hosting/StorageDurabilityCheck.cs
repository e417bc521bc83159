using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RerankCluster.Grains.Storage;
using StackExchange.Redis;

namespace RerankCluster.Silo.Hosting;

/// <summary>
/// Checks at start-up that Redis backs Storage:Durability (Fsync: appendfsync always), so a silo never
/// acknowledges writes less durably than configured; a mismatch stops the silo with the setting named.
/// </summary>
public sealed class StorageDurabilityCheck(ConfigurationOptions connection, RedisDurability durability, ILogger<StorageDurabilityCheck> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => durability.Verify(connection, logger);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
