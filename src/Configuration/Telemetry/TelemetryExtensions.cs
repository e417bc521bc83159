using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
        var options = configuration.BindValidated<TelemetryOptions, TelemetryOptionsValidator>(TelemetryOptions.Section);
        var otlp = options.OtlpEndpoint ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        telemetry.WithMetrics(builder =>
        {
            builder.AddMeter(RerankTelemetry.Name, "Microsoft.Orleans");
            ((IDeferredMeterProviderBuilder)builder).Configure((services, provider) => provider.AddView(OwnHostOnly(services.GetService<IMeterFactory>())));
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

    /// <summary>
    /// Drops instruments of meters that another host's meter factory made. Providers subscribe to meters by
    /// name across the whole process, so where several hosts share one (the embedded cluster, tests) each
    /// would count the others' requests, and one host's shutdown, disposing its meters, would end the
    /// same-named series of every other (open-telemetry/opentelemetry-dotnet#6412).
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> OwnHostOnly(IMeterFactory? own) =>
        instrument => instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own) ? MetricStreamConfiguration.Drop : null;
}
