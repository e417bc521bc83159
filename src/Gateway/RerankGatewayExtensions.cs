using System.Text.Json;
using RerankCluster.Gateway.Endpoints;
using RerankCluster.Gateway.Errors;

namespace RerankCluster.Gateway;

public static class RerankGatewayExtensions
{
    /// <summary>Services of the HTTP API; the host adds an Orleans client or a silo beside them.</summary>
    public static IServiceCollection AddRerankGateway(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<GrainExceptionHandler>();
        services.AddOpenApi();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });
        return services;
    }

    public static WebApplication MapRerankGateway(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapGet("/readyz", async (IGrainFactory grains) =>
        {
            // Answered only when a silo is reachable: a grain call must round-trip.
            await grains.GetGrain<Grains.Interfaces.IIndexGrain>(Grains.Interfaces.IndexKey.For("readiness", "probe")).Get();
            return Results.Ok(new { status = "ready" });
        });
        app.MapIndexEndpoints();
        return app;
    }
}
