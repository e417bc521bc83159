using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace RerankCluster.Configuration.Telemetry;

/// <summary>Where telemetry goes (section <c>Telemetry</c>); OTLP also follows the standard OTEL_EXPORTER_OTLP_* variables.</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string Section = "Telemetry";

    /// <summary>OTLP collector address; empty means OTEL_EXPORTER_OTLP_ENDPOINT, and no OTLP export when that is unset too.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>A silo's own Prometheus scrape port (silos have no HTTP API); 0 turns it off.</summary>
    [SettingRange(0, 65535, ErrorMessage = "Telemetry:PrometheusPort must be between {1} and {2}")]
    public int PrometheusPort { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (OtlpEndpoint is { Length: > 0 } && !Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out _))
        {
            yield return new ValidationResult($"{Section}:OtlpEndpoint must be an absolute address (got '{OtlpEndpoint}').");
        }
    }
}

[OptionsValidator]
public sealed partial class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>;
