using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;
using RerankCluster.Grains.Options;
using RerankCluster.Inference;
using RerankCluster.Inference.Batching;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;
using RerankCluster.Inference.Simulation;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace RerankCluster.UnitTests;

public sealed class ModelCatalogTests
{
    [Fact]
    public async Task A_failed_model_load_is_not_kept_and_the_next_request_loads_it()
    {
        var cache = new ModelStoreOptions().ResolveCacheDirectory();
        var model = Path.Combine(Directory.CreateTempSubdirectory("rerank-model-").FullName, "late-model");
        await using var catalog = new ModelCatalog(
            new ModelResolver(new ModelStoreOptions { AutoPull = false }, () => throw new InvalidOperationException("no hub in this test")),
            new OnnxSessionFactory(new OnnxRuntimeOptions()),
            MsOptions.Create(new BiEncoderOptions { Allowed = [model] }),
            MsOptions.Create(new CrossEncoderOptions()),
            MsOptions.Create(new BatcherOptions()),
            MsOptions.Create(new IndexingOptions()),
            MsOptions.Create(new SimulationOptions()),
            new FakeSilo(),
            NullLogger<ModelCatalog>.Instance);

        // As a pull that has not finished (or failed) leaves it: the model's files are not there.
        var failed = await Assert.ThrowsAsync<ModelUnavailableException>(() => catalog.BiEncoder(model));
        Assert.Contains(model, failed.Message);

        var shipped = ShippedMiniLm.Ensure(cache);
        Directory.CreateDirectory(model);
        File.Copy(shipped.OnnxPath, Path.Combine(model, "model.onnx"));
        File.Copy(Path.Combine(shipped.Directory, "vocab.txt"), Path.Combine(model, "vocab.txt"));

        // The load (an ONNX session) runs on the thread pool: the caller, a grain turn in a silo, gets a task at once.
        var loading = catalog.BiEncoder(model);
        Assert.False(loading.IsCompleted);
        var loaded = await loading;
        Assert.Equal(384, loaded.Encoder.Embed("now it loads").Length);
        Assert.Same(loaded, await catalog.BiEncoder(model));
    }

    [Fact]
    public async Task With_simulation_enabled_both_models_run_on_a_labelled_simulated_accelerator()
    {
        await using var catalog = new ModelCatalog(
            new ModelResolver(new ModelStoreOptions { AutoPull = false }, () => throw new InvalidOperationException("no hub in this test")),
            new OnnxSessionFactory(new OnnxRuntimeOptions()),
            MsOptions.Create(new BiEncoderOptions()),
            MsOptions.Create(new CrossEncoderOptions()),
            MsOptions.Create(new BatcherOptions()),
            MsOptions.Create(new IndexingOptions()),
            MsOptions.Create(new SimulationOptions { Enabled = true, CallOverhead = TimeSpan.Zero, BiEncoderDimension = 64 }),
            new FakeSilo(),
            NullLogger<ModelCatalog>.Instance);

        var bi = (await catalog.BiEncoder(null)).Encoder;
        var (cross, batcher) = await catalog.CrossEncoder(null);

        Assert.Equal(ExecutionProvider.Simulated, bi.Provider);
        Assert.Equal(ExecutionProvider.Simulated, cross.Provider);
        Assert.Contains("simulated", cross.Model.Name);
        Assert.Contains("simulated", bi.Model.Name);
        Assert.False(cross.ScoresAreRelevance);
        Assert.Equal(64, bi.Embed("a vector of the configured width").Length);
        var scores = await batcher.Score("tenant", "capital of france", ["paris is the capital of france", "bread rises with yeast"], cross.MaxLength);
        Assert.True(scores.Logits[0] > scores.Logits[1]);
    }

    [Fact]
    public async Task An_alias_resolves_to_its_served_model_and_an_alias_of_an_unserved_model_stops_start_up()
    {
        ModelCatalog Catalog(CrossEncoderOptions cross) => new(
            new ModelResolver(new ModelStoreOptions { AutoPull = false }, () => throw new InvalidOperationException("no hub in this test")),
            new OnnxSessionFactory(new OnnxRuntimeOptions()),
            MsOptions.Create(new BiEncoderOptions()),
            MsOptions.Create(cross),
            MsOptions.Create(new BatcherOptions()),
            MsOptions.Create(new IndexingOptions()),
            MsOptions.Create(new SimulationOptions()),
            new FakeSilo(),
            NullLogger<ModelCatalog>.Instance);

        await using var catalog = Catalog(new CrossEncoderOptions
        {
            Allowed = ["other/model"],
            Aliases = new() { ["rerank-v3.5"] = "other/model", ["rerank-english-v3.0"] = ModelResolver.DefaultCrossEncoderName },
        });
        Assert.Equal("other/model", catalog.CrossEncoderName("rerank-v3.5"));
        Assert.Equal(catalog.DefaultCrossEncoder, catalog.CrossEncoderName("rerank-english-v3.0"));
        Assert.Equal("other/model", catalog.CrossEncoderName("other/model"));
        var unknown = Assert.Throws<InvalidRequestException>(() => catalog.CrossEncoderName("rerank-multilingual-v3.0", "model"));
        Assert.Contains("'rerank-multilingual-v3.0' is not served", unknown.Message);

        var stopped = Assert.Throws<InvalidOperationException>(() => Catalog(new CrossEncoderOptions { Aliases = new() { ["rerank-v3.5"] = "never/served" } }));
        Assert.Contains("CrossEncoder:Aliases:rerank-v3.5", stopped.Message);
        Assert.Contains("never/served", stopped.Message);
        Assert.Contains("CrossEncoder:Aliases:rerank-v3.5",
            Assert.Single(new CrossEncoderOptionsValidator().Problems(new CrossEncoderOptions { Aliases = new() { ["rerank-v3.5"] = " " } })));
    }

    private sealed class FakeSilo : ILocalSiloDetails
    {
        public string Name => "test-silo";

        public string ClusterId => "test";

        public string DnsHostName => "localhost";

        public SiloAddress SiloAddress => SiloAddress.New(System.Net.IPAddress.Loopback, 11111, 1);

        public SiloAddress GatewayAddress => SiloAddress;
    }
}
