using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;
using RerankCluster.Grains.Options;
using RerankCluster.Inference;
using RerankCluster.Inference.Batching;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;
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
            new FakeSilo(),
            NullLogger<ModelCatalog>.Instance);

        // As a pull that has not finished (or failed) leaves it: the model's files are not there.
        var failed = Assert.Throws<ModelUnavailableException>(() => catalog.BiEncoder(model));
        Assert.Contains(model, failed.Message);

        var shipped = ShippedMiniLm.Ensure(cache);
        Directory.CreateDirectory(model);
        File.Copy(shipped.OnnxPath, Path.Combine(model, "model.onnx"));
        File.Copy(Path.Combine(shipped.Directory, "vocab.txt"), Path.Combine(model, "vocab.txt"));

        var loaded = catalog.BiEncoder(model);
        Assert.Equal(384, loaded.Encoder.Embed("now it loads").Length);
        Assert.Same(loaded, catalog.BiEncoder(model));
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
