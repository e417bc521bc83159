using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace RerankCluster.Configuration.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// RerankCluster's and Orleans' meters and sources, exported over OTLP when an endpoint is
    /// configured; the caller adds its own exporters (Prometheus) and instrumentation.
    /// </summary>
    public static IOpenTelemetryBuilder AddRerankTelemetry(this IOpenTelemetryBuilder telemetry, IConfiguration configuration,
        Action<MeterProviderBuilder>? metrics = null, Action<TracerProviderBuilder>? tracing = null)
    {
        var options = configuration.BindValidated<TelemetryOptions>(TelemetryOptions.Section);
        var otlp = options.OtlpEndpoint ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        telemetry.WithMetrics(builder =>
        {
            builder.AddMeter(RerankTelemetry.Name, "Microsoft.Orleans");
            metrics?.Invoke(builder);
            if (!string.IsNullOrEmpty(otlp))
            {
                builder.AddOtlpExporter(exporter => exporter.Endpoint = new Uri(otlp));
            }
        });
        telemetry.WithTracing(builder =>
        {
            builder.AddSource(RerankTelemetry.Name).AddSource(RerankTelemetry.OrleansSources);
            tracing?.Invoke(builder);
            if (!string.IsNullOrEmpty(otlp))
            {
                builder.AddOtlpExporter(exporter => exporter.Endpoint = new Uri(otlp));
            }
        });
        return telemetry;
    }
}
