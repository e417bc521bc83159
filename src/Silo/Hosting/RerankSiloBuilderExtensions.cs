using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using RerankCluster.Grains.Quotas;
using Orleans.Dashboard;
using Orleans.Hosting;
using Orleans.Runtime.MembershipService.SiloMetadata;
using RerankCluster.Configuration;
using RerankCluster.Configuration.Telemetry;
using RerankCluster.Grains;
using RerankCluster.Grains.Caching;
using RerankCluster.Grains.Ingestion;
using RerankCluster.Grains.Models;
using RerankCluster.Grains.Options;
using RerankCluster.Grains.Placement;
using RerankCluster.Grains.Querying;
using RerankCluster.Grains.Reranking;
using RerankCluster.Grains.Storage;
using RerankCluster.Inference;
using RerankCluster.Inference.Batching;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;
using RerankCluster.Inference.Simulation;
using StackExchange.Redis;

namespace RerankCluster.Silo.Hosting;

public static class RerankSiloBuilderExtensions
{
    /// <summary>
    /// Everything a RerankCluster silo hosts: options, models (loaded once per process and shared by
    /// every grain), storage, silo metadata and the placement directors. Clustering is separate
    /// (<see cref="UseRerankClustering"/>) so that tests and the embedded mode can bring their own.
    /// </summary>
    public static ISiloBuilder AddRerankCluster(this ISiloBuilder silo, IConfiguration configuration)
    {
        var services = silo.Services;
        services.AddValidatedOptions<OnnxRuntimeOptions, OnnxRuntimeOptionsValidator>(configuration, OnnxRuntimeOptions.Section);
        services.AddValidatedOptions<ModelStoreOptions, ModelStoreOptionsValidator>(configuration, ModelStoreOptions.Section);
        services.AddValidatedOptions<BiEncoderOptions, BiEncoderOptionsValidator>(configuration, BiEncoderOptions.Section);
        services.AddValidatedOptions<CrossEncoderOptions, CrossEncoderOptionsValidator>(configuration, CrossEncoderOptions.Section);
        services.AddValidatedOptions<IndexingOptions, IndexingOptionsValidator>(configuration, IndexingOptions.Section);
        services.AddValidatedOptions<RerankOptions, RerankOptionsValidator>(configuration, RerankOptions.Section);
        services.AddValidatedOptions<Stage1Options, Stage1OptionsValidator>(configuration, Stage1Options.Section);
        services.AddValidatedOptions<BatcherOptions, BatcherOptionsValidator>(configuration, BatcherOptions.Section);
        services.AddValidatedOptions<SimulationOptions, SimulationOptionsValidator>(configuration, SimulationOptions.Section);
        services.AddValidatedOptions<CacheOptions, CacheOptionsValidator>(configuration, CacheOptions.Section);
        services.AddValidatedOptions<QuotaOptions, QuotaOptionsValidator>(configuration, QuotaOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(configuration, StorageOptions.Section);
        services.Configure<ClusterMembershipOptions>(configuration.GetSection("Orleans:Membership"));

        AddModels(services);
        services.AddSingleton<RerankSiloDirectory>();
        services.AddSingleton<SiloCooldown>();
        services.AddSingleton<SiloLoadBoard>();
        services.AddSingleton<ShardSiloDirectory>();
        services.AddSingleton<CrossEncoderScatter>();
        services.AddSingleton<UpsertPipeline>();
        services.AddSingleton<InferenceCache>();
        services.AddSingleton<IndexSettingsMemory>();
        services.AddHostedService<ModelWarmup>();
        var telemetry = configuration.BindValidated<TelemetryOptions, TelemetryOptionsValidator>(TelemetryOptions.Section);
        services.AddOpenTelemetry().AddRerankTelemetry(configuration, metrics =>
        {
            if (telemetry.PrometheusPort > 0)
            {
                metrics.AddPrometheusHttpListener(listener =>
                {
                    listener.Host = "+";
                    listener.Port = telemetry.PrometheusPort;
                });
            }
        });
        silo.AddActivityPropagation();
        // Grain statistics for the Orleans dashboard, which the gateway serves behind the admin key.
        silo.AddDashboard();

        silo.UseSiloMetadata(SiloMetadata(configuration));
        silo.AddPlacementDirector<SiloTargetedPlacement, SiloTargetedPlacementDirector>();
        silo.AddPlacementDirector<ShardSpreadPlacement, ShardSpreadPlacementDirector>();
        AddStorage(silo, configuration);
        return silo;
    }

    /// <summary>Localhost or Redis clustering, as the <c>Clustering</c> section says.</summary>
    public static ISiloBuilder UseRerankClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        var options = configuration.BindValidated<ClusteringOptions, ClusteringOptionsValidator>(ClusteringOptions.Section);
        if (options.Provider == ClusteringProvider.Localhost)
        {
            return silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        }

        var address = options.AdvertisedAddress is null ? IPAddress.Loopback : IPAddress.Parse(options.AdvertisedAddress);
        silo.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = options.ClusterId;
            cluster.ServiceId = options.ServiceId;
        });
        silo.ConfigureEndpoints(address, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: options.AdvertisedAddress is not null);
        // The grain directory in Redis too, not partitioned over the silos: a frozen silo owns no entry that
        // the live ones must ask it for (every new upsert job, every location a silo has not cached yet),
        // and a killed one takes no entry with it, so a shard replica is never activated twice.
        return silo.UseRedisClustering(redis => redis.ConfigurationOptions = ConfigurationOptions.Parse(options.RedisConnectionString!))
            .UseRedisGrainDirectoryAsDefault(redis => redis.ConfigurationOptions = ConfigurationOptions.Parse(options.RedisConnectionString!));
    }

    private static void AddModels(IServiceCollection services)
    {
        services.AddHttpClient<HubModelDownloader>(http => http.Timeout = TimeSpan.FromMinutes(30));
        services.AddSingleton(sp => new OnnxSessionFactory(
            sp.GetRequiredService<IOptions<OnnxRuntimeOptions>>().Value, sp.GetRequiredService<ILogger<OnnxSessionFactory>>()));
        services.AddSingleton(sp => new ModelResolver(
            sp.GetRequiredService<IOptions<ModelStoreOptions>>().Value, sp.GetRequiredService<HubModelDownloader>));
        services.AddSingleton<ModelCatalog>();
    }

    private static void AddStorage(ISiloBuilder silo, IConfiguration configuration)
    {
        var storage = configuration.BindValidated<StorageOptions, StorageOptionsValidator>(StorageOptions.Section);
        if (storage.Provider == StorageProvider.Memory)
        {
            silo.Services.AddSingleton<IShardStore, InMemoryShardStore>();
            silo.AddMemoryGrainStorage(RerankStorage.Indexes);
            silo.AddMemoryGrainStorage(RerankStorage.Tenants);
            return;
        }

        var connection = storage.RedisConnectionString ?? configuration[$"{ClusteringOptions.Section}:RedisConnectionString"]
            ?? throw new OptionsValidationException(StorageOptions.Section, typeof(StorageOptions),
                [$"{StorageOptions.Section}:RedisConnectionString (or {ClusteringOptions.Section}:RedisConnectionString) is required when {StorageOptions.Section}:Provider is Redis."]);
        // AbortOnConnectFail off: a silo that starts, or a shard that activates, while Redis is down gets a
        // multiplexer that keeps reconnecting, and calls fail as StorageUnavailableException until it is back.
        silo.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(Resilient(connection)));
        silo.Services.AddSingleton(storage.RedisDurability());
        silo.Services.AddSingleton<IShardStore>(sp =>
            new RedisShardStore(sp.GetRequiredService<IConnectionMultiplexer>(), storage.KeyPrefix, sp.GetRequiredService<RedisDurability>()));
        silo.Services.AddHostedService(sp => new StorageDurabilityCheck(
            Resilient(connection), sp.GetRequiredService<RedisDurability>(), sp.GetRequiredService<ILogger<StorageDurabilityCheck>>()));
        foreach (var name in new[] { RerankStorage.Indexes, RerankStorage.Tenants })
        {
            silo.AddRedisGrainStorage(name, redis => redis.ConfigurationOptions = Resilient(connection));
        }

        silo.AddIncomingGrainCallFilter<StorageFaultFilter>();
    }

    private static ConfigurationOptions Resilient(string connection)
    {
        var options = ConfigurationOptions.Parse(connection);
        options.AbortOnConnectFail = false;
        return options;
    }

    /// <summary>Orleans:Metadata as configured, with a role (default all) so that placement can tell silos apart.</summary>
    private static Dictionary<string, string> SiloMetadata(IConfiguration configuration)
    {
        var metadata = configuration.GetSection("Orleans:Metadata").GetChildren()
            .Where(entry => entry.Value is not null)
            .ToDictionary(entry => entry.Key, entry => entry.Value!);
        metadata.TryAdd(SiloRoles.MetadataKey, SiloRoles.All);
        metadata.TryAdd(SiloRoles.AcceleratorKey, "cpu");
        if (!SiloRoles.IsValid(metadata[SiloRoles.MetadataKey]))
        {
            throw new OptionsValidationException("Orleans:Metadata", typeof(Dictionary<string, string>),
                [$"Orleans:Metadata:role must be all, shards or rerank, or a comma-separated list of them (got '{metadata[SiloRoles.MetadataKey]}')."]);
        }

        return metadata;
    }
}
