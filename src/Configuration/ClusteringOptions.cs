namespace RerankCluster.Configuration;

public enum ClusteringProvider
{
    /// <summary>One machine, no external service: the embedded default.</summary>
    Localhost,

    /// <summary>Silos and gateways find each other through a Redis membership table.</summary>
    Redis,
}

/// <summary>How silos and clients find each other (section <c>Clustering</c>).</summary>
public sealed class ClusteringOptions : ISelfValidatingOptions
{
    public const string Section = "Clustering";

    public ClusteringProvider Provider { get; set; } = ClusteringProvider.Localhost;

    /// <summary>StackExchange.Redis configuration string, e.g. "redis:6379,password=…".</summary>
    public string? RedisConnectionString { get; set; }

    public string ClusterId { get; set; } = "rerank-cluster";

    public string ServiceId { get; set; } = "rerank-cluster";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>Address other silos reach this one at (a pod IP from the downward API); default loopback.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// How often a gateway's cluster client reads the list of silo gateways (Orleans' default is a minute).
    /// A client sends each grain's calls through one of the gateways it knows, so until it reads the list
    /// again a silo that joined takes none of them, and losing the silos it does know stalls every read.
    /// </summary>
    public TimeSpan GatewayListRefresh { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Validate()
    {
        if (Provider == ClusteringProvider.Redis && string.IsNullOrWhiteSpace(RedisConnectionString))
        {
            yield return $"{Section}:RedisConnectionString is required when {Section}:Provider is Redis.";
        }

        foreach (var (name, port) in new[] { ("SiloPort", SiloPort), ("GatewayPort", GatewayPort) })
        {
            if (port is < 0 or > 65535)
            {
                yield return $"{Section}:{name} must be between 0 and 65535 (got {port}).";
            }
        }

        if (AdvertisedAddress is not null && !System.Net.IPAddress.TryParse(AdvertisedAddress, out _))
        {
            yield return $"{Section}:AdvertisedAddress must be an IP address (got '{AdvertisedAddress}').";
        }

        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId))
        {
            yield return $"{Section}:ClusterId and {Section}:ServiceId must not be empty.";
        }

        if (GatewayListRefresh < TimeSpan.FromSeconds(1) || GatewayListRefresh > TimeSpan.FromMinutes(10))
        {
            yield return $"{Section}:GatewayListRefresh must be between 1 second and 10 minutes (got {GatewayListRefresh}).";
        }
    }
}
