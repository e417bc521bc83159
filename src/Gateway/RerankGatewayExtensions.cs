using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.Dashboard;
using RerankCluster.Configuration;
using RerankCluster.Configuration.Telemetry;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Gateway.Endpoints;
using RerankCluster.Gateway.Errors;
using RerankCluster.Gateway.Resilience;
using RerankCluster.Gateway.Security;
using RerankCluster.Gateway.Workbench;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway;

public static class RerankGatewayExtensions
{
    public const string DashboardPath = "/dashboard";

    /// <summary>Services of the HTTP API; the host adds an Orleans client or a silo beside them.</summary>
    public static IServiceCollection AddRerankGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<GatewayOptions, GatewayOptionsValidator>(configuration, GatewayOptions.Section);
        services.AddValidatedOptions<LimitsOptions, LimitsOptionsValidator>(configuration, LimitsOptions.Section);
        // RERANK_ADMIN_KEY is the documented way to pass the admin key; Gateway:AdminKey wins if both are set.
        services.PostConfigure<GatewayOptions>(gateway => gateway.AdminKey ??= configuration["RERANK_ADMIN_KEY"]);
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>>(sp => new ConfigureOptions<KestrelServerOptions>(kestrel =>
            kestrel.Limits.MaxRequestBodySize = sp.GetRequiredService<IOptions<LimitsOptions>>().Value.MaxRequestBodyBytes));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyResolver>();
        services.AddSingleton<TenantRateLimiter>();
        services.AddSingleton(new RetryBudget());
        services.AddKeyedSingleton(IdempotentRetry.HedgeBudget, new RetryBudget(ratio: 0.5));
        services.AddSingleton(sp => new ReadEntries(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<GatewayOptions>>().Value.StallProbation));
        services.AddSingleton<IdempotentRetry>();
        // Bad bodies are thrown, not answered silently, so GrainExceptionHandler can say what was wrong.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            // Kestrel answers an oversized body itself, before any endpoint runs: name the limit here.
            if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge && context.ProblemDetails.Detail is null)
            {
                var limit = context.HttpContext.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value.MaxRequestBodyBytes;
                context.ProblemDetails.Detail = LimitsOptions.BodyTooLarge(limit);
            }

            // Routing refuses a body that is not JSON before any endpoint runs, with no word of what it expected.
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && context.ProblemDetails.Detail is null)
            {
                context.ProblemDetails.Detail =
                    $"This route reads a JSON body: send Content-Type: application/json (got {context.HttpContext.Request.ContentType ?? "none"}).";
            }

            // Cohere's SDK and the AI SDK show `message`; RFC 7807 clients read `detail`: both carry the same text.
            context.ProblemDetails.Extensions["message"] = context.ProblemDetails.Detail ?? context.ProblemDetails.Title;
        });
        services.AddExceptionHandler<GrainExceptionHandler>();
        services.AddOpenApi();
        services.AddOpenTelemetry().AddRerankTelemetry(configuration,
            metrics => metrics.AddAspNetCoreInstrumentation().AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0),
            tracing => tracing.AddAspNetCoreInstrumentation());
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });
        return services;
    }

    public static WebApplication MapRerankGateway(this WebApplication app)
    {
        app.UseMiddleware<RequestMetricsMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWhen(http => !InFlightRequestLimit.IsExempt(http.Request.Path), limited => limited.UseMiddleware<InFlightRequestLimit>());
        app.UseWorkbench();
        app.MapOpenApi();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapGet("/readyz", async (IGrainFactory grains) =>
        {
            // Ready once a silo answers and its models are loaded; reports how many silos are active.
            var models = await grains.GetGrain<IRerankGrain>(ReadEntry.Any()).Models().WaitAsync(TimeSpan.FromSeconds(10));
            var silos = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(10));
            return Results.Ok(new { status = "ready", active_silos = silos.Count, models });
        });
        app.UseWhen(http => http.Request.Path.StartsWithSegments(DashboardPath), dashboard => dashboard.UseMiddleware<AdminOnlyMiddleware>());
        app.MapOrleansDashboard(DashboardPath);
        app.MapTenantEndpoints();
        app.MapIndexEndpoints();
        app.MapRerankEndpoints();
        if (!app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.RequiresKeys)
        {
            app.Logger.LogWarning("No admin key is configured (RERANK_ADMIN_KEY): the API is open and every request belongs to tenant '{Tenant}'.",
                RequestTenant.OpenModeTenant);
        }

        return app;
    }
}
