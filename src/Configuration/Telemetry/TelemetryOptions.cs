namespace RerankCluster.Configuration.Telemetry;

/// <summary>Where telemetry goes (section <c>Telemetry</c>); OTLP also follows the standard OTEL_EXPORTER_OTLP_* variables.</summary>
public sealed class TelemetryOptions : ISelfValidatingOptions
{
    public const string Section = "Telemetry";

    /// <summary>OTLP collector address; empty means OTEL_EXPORTER_OTLP_ENDPOINT, and no OTLP export when that is unset too.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>A silo's own Prometheus scrape port (silos have no HTTP API); 0 turns it off.</summary>
    public int PrometheusPort { get; set; }

    public IEnumerable<string> Validate()
    {
        if (OtlpEndpoint is { Length: > 0 } && !Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out _))
        {
            yield return $"{Section}:OtlpEndpoint must be an absolute address (got '{OtlpEndpoint}').";
        }

        if (PrometheusPort is < 0 or > 65535)
        {
            yield return $"{Section}:PrometheusPort must be between 0 and 65535 (got {PrometheusPort}).";
        }
    }
}
