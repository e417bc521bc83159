using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using RerankCluster.Gateway;
using RerankCluster.Silo.Hosting;

namespace RerankCluster.Cli.Hosting;

/// <summary>
/// The single-machine mode: one process hosting a silo (localhost clustering, no Redis) and the HTTP
/// gateway in front of it.
/// </summary>
public sealed class EmbeddedCluster : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmbeddedCluster(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The host's services (the grain factory among them).</summary>
    public IServiceProvider Services => _app.Services;

    public sealed record Ports(int Http, int Silo, int Gateway);

    /// <summary>Default ports of `rerank serve`; demo and eval take free ones so they never collide.</summary>
    public static Ports DefaultPorts => new(8080, 11111, 30000);

    public static Ports FreePorts() => new(LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free());

    /// <param name="settings">Configuration that overrides appsettings.json and the environment.</param>
    public static async Task<EmbeddedCluster> StartAsync(Ports ports, string host = "127.0.0.1", bool quiet = false,
        IReadOnlyDictionary<string, string?>? settings = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.WebHost.UseUrls($"http://{host}:{ports.Http}");
        if (quiet)
        {
            // Quiet runs print their own results; only the reasons things fail belong beside them.
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddFilter("Orleans", LogLevel.Error);
            builder.Logging.AddFilter("Microsoft", LogLevel.Error);
        }
        else
        {
            builder.Logging.AddFilter("Orleans", LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }

        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(ports.Silo, ports.Gateway)
            .AddRerankCluster(builder.Configuration));
        builder.Services.AddRerankGateway(builder.Configuration);
        var app = builder.Build();
        app.MapRerankGateway();
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmbeddedCluster(app, new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)));
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
