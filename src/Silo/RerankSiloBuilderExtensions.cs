using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using RerankCluster.Grains;
using RerankCluster.Grains.Options;
using RerankCluster.Grains.Placement;
using RerankCluster.Grains.Reranking;
using RerankCluster.Grains.Storage;
using RerankCluster.Inference;
using RerankCluster.Inference.Configuration;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;
using RerankCluster.Retrieval;

namespace RerankCluster.Silo;

public static class RerankSiloBuilderExtensions
{
    /// <summary>
    /// Everything a RerankCluster silo hosts: options, models (loaded once per process and shared by
    /// every grain), storage and the placement directors. Clustering is the caller's choice.
    /// </summary>
    public static ISiloBuilder AddRerankCluster(this ISiloBuilder silo, IConfiguration configuration)
    {
        var services = silo.Services;
        services.AddValidatedOptions<OnnxRuntimeOptions>(configuration, OnnxRuntimeOptions.Section);
        services.AddValidatedOptions<ModelStoreOptions>(configuration, ModelStoreOptions.Section);
        services.AddValidatedOptions<BiEncoderOptions>(configuration, BiEncoderOptions.Section);
        services.AddValidatedOptions<CrossEncoderOptions>(configuration, CrossEncoderOptions.Section);
        services.AddValidatedOptions<IndexingOptions>(configuration, IndexingOptions.Section);
        services.AddValidatedOptions<RerankOptions>(configuration, RerankOptions.Section);

        services.AddHttpClient<HubModelDownloader>(http => http.Timeout = TimeSpan.FromMinutes(30));
        services.AddSingleton(sp => new OnnxSessionFactory(
            sp.GetRequiredService<IOptions<OnnxRuntimeOptions>>().Value, sp.GetRequiredService<ILogger<OnnxSessionFactory>>()));
        services.AddSingleton(sp => new ModelResolver(
            sp.GetRequiredService<IOptions<ModelStoreOptions>>().Value, sp.GetRequiredService<HubModelDownloader>));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BiEncoderOptions>>().Value;
            var files = sp.GetRequiredService<ModelResolver>().BiEncoder(options.Model);
            return new BiEncoder(files, sp.GetRequiredService<OnnxSessionFactory>(), options.MaxLength, options.BatchSize);
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CrossEncoderOptions>>().Value;
            var files = sp.GetRequiredService<ModelResolver>().CrossEncoder(options.Model, options.OnnxFile);
            return new CrossEncoder(files, sp.GetRequiredService<OnnxSessionFactory>(), options.MaxLength);
        });
        services.AddSingleton(sp =>
        {
            var encoder = sp.GetRequiredService<BiEncoder>();
            var indexing = sp.GetRequiredService<IOptions<IndexingOptions>>().Value;
            var window = indexing.ChunkTokens == 0 ? encoder.MaxLength - 2 : Math.Min(indexing.ChunkTokens, encoder.MaxLength - 2);
            return new TextChunker(encoder.Tokenizer, window, Math.Min(indexing.ChunkOverlapTokens, window - 1));
        });
        services.AddSingleton<RerankSiloDirectory>();
        services.AddSingleton<IShardStore, InMemoryShardStore>();
        services.AddHostedService<ModelWarmup>();

        silo.AddMemoryGrainStorage(RerankStorage.Indexes);
        silo.AddPlacementDirector<SiloTargetedPlacement, SiloTargetedPlacementDirector>();
        silo.AddPlacementDirector<ShardSpreadPlacement, ShardSpreadPlacementDirector>();
        return silo;
    }
}
