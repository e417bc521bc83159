using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RerankCluster.Silo.Hosting;

namespace RerankCluster.Bench;

/// <summary>An in-process single-machine cluster (one silo, localhost clustering), driven through its grains.</summary>
public sealed class BenchCluster : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchCluster(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public T Service<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public static async Task<BenchCluster> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error).AddFilter("RerankCluster", LogLevel.Error);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(LoopbackPorts.Free(), LoopbackPorts.Free()).AddRerankCluster(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync();
        return new BenchCluster(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
