using RerankCluster.Inference;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;

namespace RerankCluster.UnitTests;

/// <summary>The real shipped bi-encoder and the derived cross-encoder, loaded once for all tests.</summary>
public sealed class ModelFixture : IDisposable
{
    public ModelFixture()
    {
        CacheDirectory = new ModelStoreOptions().ResolveCacheDirectory();
        Sessions = new OnnxSessionFactory(new OnnxRuntimeOptions());
        BiEncoder = new BiEncoder(ShippedMiniLm.Ensure(CacheDirectory), Sessions);
        CrossEncoder = new CrossEncoder(DerivedTestCrossEncoder.Ensure(CacheDirectory), Sessions);
    }

    public string CacheDirectory { get; }

    public OnnxSessionFactory Sessions { get; }

    public BiEncoder BiEncoder { get; }

    public CrossEncoder CrossEncoder { get; }

    public void Dispose()
    {
        BiEncoder.Dispose();
        CrossEncoder.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ModelCollection : ICollectionFixture<ModelFixture>
{
    public const string Name = "models";
}
