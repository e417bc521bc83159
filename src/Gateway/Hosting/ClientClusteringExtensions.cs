using Orleans.Configuration;
using RerankCluster.Configuration;
using StackExchange.Redis;

namespace RerankCluster.Gateway.Hosting;

public static class ClientClusteringExtensions
{
    /// <summary>Finds the cluster as the <c>Clustering</c> section says: a localhost silo, or the Redis membership table.</summary>
    public static IClientBuilder UseRerankClustering(this IClientBuilder client, IConfiguration configuration)
    {
        var options = configuration.BindValidated<ClusteringOptions, ClusteringOptionsValidator>(ClusteringOptions.Section);
        if (options.Provider == ClusteringProvider.Localhost)
        {
            return client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
        }

        client.Configure<Orleans.Configuration.GatewayOptions>(gateways => gateways.GatewayListRefreshPeriod = options.GatewayListRefresh);
        client.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = options.ClusterId;
            cluster.ServiceId = options.ServiceId;
        });
        return client.UseRedisClustering(redis => redis.ConfigurationOptions = ConfigurationOptions.Parse(options.RedisConnectionString!));
    }
}
