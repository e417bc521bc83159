using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RerankCluster.Configuration;
using RerankCluster.Configuration.Telemetry;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Grains.Caching;
using RerankCluster.Grains.Options;
using RerankCluster.Grains.Quotas;
using RerankCluster.Inference;
using RerankCluster.Inference.Batching;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;
using RerankCluster.Inference.Simulation;
using RerankCluster.Silo.Hosting;

namespace RerankCluster.UnitTests;

/// <summary>
/// One bad value for every rule of every options section, bound from configuration and checked by the section's
/// generated validator as a host does: each must be refused with its own message, naming the setting by its path.
/// </summary>
public sealed class OptionsValidationTests
{
    private static readonly Dictionary<string, Func<IConfiguration, object>> BindSection = new[]
    {
        Binder<BatcherOptions, BatcherOptionsValidator>(BatcherOptions.Section),
        Binder<SimulationOptions, SimulationOptionsValidator>(SimulationOptions.Section),
        Binder<BiEncoderOptions, BiEncoderOptionsValidator>(BiEncoderOptions.Section),
        Binder<CrossEncoderOptions, CrossEncoderOptionsValidator>(CrossEncoderOptions.Section),
        Binder<ModelStoreOptions, ModelStoreOptionsValidator>(ModelStoreOptions.Section),
        Binder<OnnxRuntimeOptions, OnnxRuntimeOptionsValidator>(OnnxRuntimeOptions.Section),
        Binder<GatewayOptions, GatewayOptionsValidator>(GatewayOptions.Section),
        Binder<LimitsOptions, LimitsOptionsValidator>(LimitsOptions.Section),
        Binder<StorageOptions, StorageOptionsValidator>(StorageOptions.Section),
        Binder<QuotaOptions, QuotaOptionsValidator>(QuotaOptions.Section),
        Binder<RerankOptions, RerankOptionsValidator>(RerankOptions.Section),
        Binder<Stage1Options, Stage1OptionsValidator>(Stage1Options.Section),
        Binder<IndexingOptions, IndexingOptionsValidator>(IndexingOptions.Section),
        Binder<CacheOptions, CacheOptionsValidator>(CacheOptions.Section),
        Binder<ClusteringOptions, ClusteringOptionsValidator>(ClusteringOptions.Section),
        Binder<TelemetryOptions, TelemetryOptionsValidator>(TelemetryOptions.Section),
    }.ToDictionary();

    [Fact]
    public void Every_section_is_valid_as_shipped()
    {
        var empty = new ConfigurationBuilder().Build();
        Assert.All(BindSection.Values, bind => bind(empty));
    }

    [Theory]
    [InlineData("Batching:MaxBatchTokens=100", "Batching:MaxBatchTokens must be at least 512, one full-length pair (got 100).")]
    [InlineData("Batching:MaxBatchPairs=0", "Batching:MaxBatchPairs must be between 1 and 4096 (got 0).")]
    [InlineData("Batching:MaxBatchTime=00:02:00", "Batching:MaxBatchTime must be between 0 and 1 minute (got 00:02:00).")]
    [InlineData("Batching:MaxPaddingFraction=2", "Batching:MaxPaddingFraction must be between 0 and 1 (got 2).")]
    [InlineData("Batching:MaxWait=-00:00:01", "Batching:MaxWait must be between 0 and 1 second (got -00:00:01).")]
    [InlineData("Batching:InferenceThreads=65", "Batching:InferenceThreads must be between 1 and 64 (got 65).")]
    [InlineData("Batching:MaxQueuedTokens=100", "Batching:MaxQueuedTokens must be at least Batching:MaxBatchTokens (16384), one full batch (got 100).")]
    [InlineData("Batching:MaxQueueDelay=00:11:00", "Batching:MaxQueueDelay must be between 0 and 10 minutes (got 00:11:00).")]
    [InlineData("Batching:QuietTenantBurstTokens=-1", "Batching:QuietTenantBurstTokens must be at least 0 (got -1).")]
    [InlineData("Batching:TenantWeights:acme=0", "Batching:TenantWeights:acme must be above 0 and at most 1000 (got 0).")]
    [InlineData("Simulation:CrossEncoderTokensPerSecond=0", "Simulation:CrossEncoderTokensPerSecond must be above 0 and at most 1000000000 (got 0).")]
    [InlineData("Simulation:BiEncoderTokensPerSecond=2000000000", "Simulation:BiEncoderTokensPerSecond must be above 0 and at most 1000000000 (got 2000000000).")]
    [InlineData("Simulation:BiEncoderDimension=4", "Simulation:BiEncoderDimension must be between 8 and 4096 (got 4).")]
    [InlineData("Simulation:CallOverhead=00:00:11", "Simulation:CallOverhead must be between 0 and 10 seconds (got 00:00:11).")]
    [InlineData("BiEncoder:MaxLength=4", "BiEncoder:MaxLength must be between 8 and 512 (got 4).")]
    [InlineData("BiEncoder:BatchSize=0", "BiEncoder:BatchSize must be between 1 and 1024 (got 0).")]
    [InlineData("BiEncoder:MaxBulkCallTime=-00:00:01", "BiEncoder:MaxBulkCallTime must be between 0 and 1 minute (got -00:00:01).")]
    [InlineData("CrossEncoder:MaxLength=513", "CrossEncoder:MaxLength must be between 8 and 512 (got 513).")]
    [InlineData("CrossEncoder:Aliases:rerank-v3.5= ", "CrossEncoder:Aliases:rerank-v3.5 must name a served model (got ' ').")]
    [InlineData("Models:HubEndpoint=ftp://mirror", "Models:HubEndpoint must be an absolute http(s) address (got 'ftp://mirror').")]
    [InlineData("OnnxRuntime:CudaDeviceId=-1", "OnnxRuntime:CudaDeviceId must be 0 or more (got -1).")]
    [InlineData("OnnxRuntime:IntraOpThreads=-1", "OnnxRuntime:IntraOpThreads must be 0 (all cores) or more (got -1).")]
    [InlineData("OnnxRuntime:InterOpThreads=0", "OnnxRuntime:InterOpThreads must be 1 or more (got 0).")]
    [InlineData("Gateway:AdminKey=short", "Gateway:AdminKey (RERANK_ADMIN_KEY) must be at least 16 characters.")]
    [InlineData("Gateway:KeyCacheTtl=02:00:00", "Gateway:KeyCacheTtl must be between 0 and 1 hour (got 02:00:00).")]
    [InlineData("Gateway:RetryWindow=00:02:00", "Gateway:RetryWindow must be between 0 and 1 minute (got 00:02:00).")]
    [InlineData("Gateway:HedgeDelay=-00:00:01", "Gateway:HedgeDelay must be between 0 (off) and 1 minute (got -00:00:01).")]
    [InlineData("Gateway:StallProbation=00:00:00.05", "Gateway:StallProbation must be between 100 ms and 1 minute (got 00:00:00.0500000).")]
    [InlineData("Gateway:KeyLookupTimeout=00:00:00", "Gateway:KeyLookupTimeout must be above 0 and at most 30 seconds (got 00:00:00).")]
    [InlineData("Limits:MaxRequestBodyBytes=1000", "Limits:MaxRequestBodyBytes must be at least 1024 (got 1000).")]
    [InlineData("Limits:RateLeaseTimeout=00:00:00", "Limits:RateLeaseTimeout must be above 0 and at most 30 seconds (got 00:00:00).")]
    [InlineData("Limits:MaxDocumentsPerRequest=0", "Limits:MaxDocumentsPerRequest must be between 1 and 100000 (got 0).")]
    [InlineData("Limits:MaxTextCharacters=10000001", "Limits:MaxTextCharacters must be between 1 and 10000000 (got 10000001).")]
    [InlineData("Limits:MaxRerankDocuments=1001", "Limits:MaxRerankDocuments must be between 1 and 1000 (got 1001).")]
    [InlineData("Limits:MaxTopN=0", "Limits:MaxTopN must be between 1 and 100000 (got 0).")]
    [InlineData("Limits:MaxCandidates=1001", "Limits:MaxCandidates must be between 1 and 1000 (got 1001).")]
    [InlineData("Limits:RequestsPerSecond=0", "Limits:RequestsPerSecond must be between 1 and 1000000 (got 0).")]
    [InlineData("Limits:Burst=1000001", "Limits:Burst must be between 1 and 1000000 (got 1000001).")]
    [InlineData("Limits:MaxConcurrentRequests=0", "Limits:MaxConcurrentRequests must be between 1 and 1000000 (got 0).")]
    [InlineData("Storage:Durability=Fsync", "Storage:Durability Fsync needs Storage:Provider Redis (got Memory).")]
    [InlineData("Storage:Provider=Redis;Storage:Durability=Replicas;Storage:Replicas=0", "Storage:Replicas must be at least 1 when Storage:Durability is Replicas (got 0).")]
    [InlineData("Storage:Provider=Redis;Storage:Durability=Replicas;Storage:ReplicaTimeout=00:02:00", "Storage:ReplicaTimeout must be between 1 ms and 1 minute (got 00:02:00).")]
    [InlineData("Storage:KeyPrefix=two words", "Storage:KeyPrefix must be a non-empty word (got 'two words').")]
    [InlineData("Quotas:MaxIndexes=0", "Quotas:MaxIndexes must be at least 1 (got 0).")]
    [InlineData("Quotas:MaxDocuments=0", "Quotas:MaxDocuments must be at least 1 (got 0).")]
    [InlineData("Rerank:MaxChunksPerDoc=65", "Rerank:MaxChunksPerDoc must be between 1 and 64 (got 65).")]
    [InlineData("Rerank:Stage1Weight=2", "Rerank:Stage1Weight must be between 0 and 1 (got 2).")]
    [InlineData("Rerank:Timeout=00:00:00", "Rerank:Timeout must be above 0 and at most 10 minutes (got 00:00:00).")]
    [InlineData("Rerank:BatchAttemptTimeout=00:11:00", "Rerank:BatchAttemptTimeout must be above 0 and at most 10 minutes (got 00:11:00).")]
    [InlineData("Rerank:FailedSiloCooldown=-00:00:01", "Rerank:FailedSiloCooldown must be between 0 and 10 minutes (got -00:00:01).")]
    [InlineData("Stage1:Mode=7", "Stage1:Mode must be one of dense, lexical, hybrid (got 7).")]
    [InlineData("Stage1:Fusion=7", "Stage1:Fusion must be rrf or linear (got 7).")]
    [InlineData("Stage1:RrfK=0", "Stage1:RrfK must be between 1 and 100000 (got 0).")]
    [InlineData("Stage1:LexicalWeight=-1", "Stage1:LexicalWeight must be between 0 and 1 (got -1).")]
    [InlineData("Indexing:MaxShards=1025", "Indexing:MaxShards must be between 1 and 1024 (got 1025).")]
    [InlineData("Indexing:MaxReplicas=17", "Indexing:MaxReplicas must be between 1 and 16 (got 17).")]
    [InlineData("Indexing:DefaultReplicas=4", "Indexing:DefaultReplicas must be between 1 and Indexing:MaxReplicas (3) (got 4).")]
    [InlineData("Indexing:ReplicaApplyTimeout=00:00:00", "Indexing:ReplicaApplyTimeout must be above 0 and at most 5 minutes (got 00:00:00).")]
    [InlineData("Indexing:ShardHedgeDelay=00:02:00", "Indexing:ShardHedgeDelay must be above 0 and at most 1 minute (got 00:02:00).")]
    [InlineData("Indexing:DefaultShards=65", "Indexing:DefaultShards must be between 1 and Indexing:MaxShards (64) (got 65).")]
    [InlineData("Indexing:ChunkTokens=8", "Indexing:ChunkTokens must be 0 (automatic) or at least 16 (got 8).")]
    [InlineData("Indexing:ChunkTokens=64;Indexing:ChunkOverlapTokens=64", "Indexing:ChunkOverlapTokens must be at least 0 and below Indexing:ChunkTokens (got 64).")]
    [InlineData("Indexing:EmbedBatchChunks=0", "Indexing:EmbedBatchChunks must be between 1 and 4096 (got 0).")]
    [InlineData("Indexing:EmbedCallsPerSilo=65", "Indexing:EmbedCallsPerSilo must be between 1 and 64 (got 65).")]
    [InlineData("Indexing:AnnMinChunks=-1", "Indexing:AnnMinChunks must be at least 0 (got -1).")]
    [InlineData("Indexing:AnnExpansionSearch=8", "Indexing:AnnExpansionSearch must be between 16 and 4096 (got 8).")]
    [InlineData("Indexing:WriteRetryWindow=00:11:00", "Indexing:WriteRetryWindow must be between 0 and 10 minutes (got 00:11:00).")]
    [InlineData("Indexing:UpsertWait=00:00:21", "Indexing:UpsertWait must be between 0 and 20 seconds (got 00:00:21).")]
    [InlineData("Indexing:JobRetention=00:00:30", "Indexing:JobRetention must be between 1 minute and 7 days (got 00:00:30).")]
    [InlineData("Cache:QueryEmbeddings=2", "Cache:QueryEmbeddings must be 0 (off) or between 3 and 10000000 (got 2).")]
    [InlineData("Cache:Scores=-1", "Cache:Scores must be 0 (off) or between 3 and 100000000 (got -1).")]
    [InlineData("Clustering:Provider=Redis", "Clustering:RedisConnectionString is required when Clustering:Provider is Redis.")]
    [InlineData("Clustering:SiloPort=70000", "Clustering:SiloPort must be between 0 and 65535 (got 70000).")]
    [InlineData("Clustering:GatewayPort=-1", "Clustering:GatewayPort must be between 0 and 65535 (got -1).")]
    [InlineData("Clustering:AdvertisedAddress=not-an-ip", "Clustering:AdvertisedAddress must be an IP address (got 'not-an-ip').")]
    [InlineData("Clustering:ClusterId= ", "Clustering:ClusterId and Clustering:ServiceId must not be empty.")]
    [InlineData("Clustering:ServiceId= ", "Clustering:ClusterId and Clustering:ServiceId must not be empty.")]
    [InlineData("Clustering:GatewayListRefresh=00:00:00.5", "Clustering:GatewayListRefresh must be between 1 second and 10 minutes (got 00:00:00.5000000).")]
    [InlineData("Telemetry:OtlpEndpoint=not a uri", "Telemetry:OtlpEndpoint must be an absolute address (got 'not a uri').")]
    [InlineData("Telemetry:PrometheusPort=65536", "Telemetry:PrometheusPort must be between 0 and 65535 (got 65536).")]
    public void A_bad_setting_is_refused_naming_it(string settings, string problem)
    {
        var section = settings[..settings.IndexOf(':')];
        var refused = Assert.Throws<OptionsValidationException>(() => BindSection[section](Configuration(settings)));
        Assert.Equal(section, refused.OptionsName);
        Assert.Contains(problem, refused.Failures);
    }

    [Fact]
    public void A_silo_with_bad_settings_refuses_to_start_listing_each()
    {
        var services = new ServiceCollection();
        services.AddValidatedOptions<BatcherOptions, BatcherOptionsValidator>(
            Configuration("Batching:MaxBatchPairs=0;Batching:TenantWeights:acme=0"), BatcherOptions.Section);
        using var provider = services.BuildServiceProvider();

        // What the host runs before it starts, because of ValidateOnStart.
        var refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Equal(
            ["Batching:MaxBatchPairs must be between 1 and 4096 (got 0).", "Batching:TenantWeights:acme must be above 0 and at most 1000 (got 0)."],
            refused.Failures);
    }

    private static KeyValuePair<string, Func<IConfiguration, object>> Binder<TOptions, TValidator>(string section)
        where TOptions : class, new()
        where TValidator : IValidateOptions<TOptions>, new() =>
        new(section, configuration => configuration.BindValidated<TOptions, TValidator>(section));

    /// <summary>Configuration from "Key=value;Key=value".</summary>
    private static IConfiguration Configuration(string settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Split(';').Select(setting => setting.Split('=', 2)).Select(kv => KeyValuePair.Create(kv[0], (string?)kv[1])))
            .Build();
}

/// <summary>Runs an options class's generated validator as the options framework does.</summary>
internal static class OptionsValidatorExtensions
{
    public static IReadOnlyList<string> Problems<TOptions>(this IValidateOptions<TOptions> validator, TOptions options) where TOptions : class =>
        validator.Validate(Options.DefaultName, options).Failures?.ToList() ?? [];
}
