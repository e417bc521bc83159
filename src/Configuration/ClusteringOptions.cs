using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace RerankCluster.Configuration;

public enum ClusteringProvider
{
    /// <summary>One machine, no external service: the embedded default.</summary>
    Localhost,

    /// <summary>Silos and gateways find each other through a Redis membership table.</summary>
    Redis,
}

/// <summary>How silos and clients find each other (section <c>Clustering</c>).</summary>
public sealed class ClusteringOptions : IValidatableObject
{
    public const string Section = "Clustering";

    public ClusteringProvider Provider { get; set; } = ClusteringProvider.Localhost;

    /// <summary>StackExchange.Redis configuration string, e.g. "redis:6379,password=…".</summary>
    public string? RedisConnectionString { get; set; }

    public string ClusterId { get; set; } = "rerank-cluster";

    public string ServiceId { get; set; } = "rerank-cluster";

    [SettingRange(0, 65535, ErrorMessage = "Clustering:SiloPort must be between {1} and {2}")]
    public int SiloPort { get; set; } = 11111;

    [SettingRange(0, 65535, ErrorMessage = "Clustering:GatewayPort must be between {1} and {2}")]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Address other silos reach this one at (a pod IP from the downward API); default loopback.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// How often a gateway's cluster client reads the list of silo gateways (Orleans' default is a minute).
    /// A client sends each grain's calls through one of the gateways it knows, so until it reads the list
    /// again a silo that joined takes none of them, and losing the silos it does know stalls every read.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Clustering:GatewayListRefresh must be between 1 second and 10 minutes")]
    public TimeSpan GatewayListRefresh { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == ClusteringProvider.Redis && string.IsNullOrWhiteSpace(RedisConnectionString))
        {
            yield return new ValidationResult($"{Section}:RedisConnectionString is required when {Section}:Provider is Redis.");
        }

        if (AdvertisedAddress is not null && !System.Net.IPAddress.TryParse(AdvertisedAddress, out _))
        {
            yield return new ValidationResult($"{Section}:AdvertisedAddress must be an IP address (got '{AdvertisedAddress}').");
        }

        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId))
        {
            yield return new ValidationResult($"{Section}:ClusterId and {Section}:ServiceId must not be empty.");
        }
    }
}

[OptionsValidator]
public sealed partial class ClusteringOptionsValidator : IValidateOptions<ClusteringOptions>;
