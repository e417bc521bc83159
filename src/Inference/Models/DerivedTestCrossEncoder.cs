using RerankCluster.Inference.Models.OnnxGraph;

namespace RerankCluster.Inference.Models;

/// <summary>
/// A cross-encoder with exactly the compute of cross-encoder/ms-marco-MiniLM-L-6-v2 (the shipped
/// MiniLM-L6 encoder and its [CLS] pooler, plus a one-logit head), for machines that cannot download
/// reranker weights. The head is deterministic but untrained: its scores are NOT relevance, so
/// timings are real and rankings meaningless. Its config.json carries the marker that says so.
/// </summary>
public static class DerivedTestCrossEncoder
{
    public const string Name = "rerankcluster/minilm-l6-derived-test-cross-encoder";
    public const string Warning = "scores come from the derived test cross-encoder: real compute, untrained head, NOT a relevance model";
    private const string PooledOutput = "924";
    private const int Hidden = 384;
    private const uint Seed = 0x5EED_CE01;
    private static readonly StampedModelCache Cache = new(stampFile: null, "model.onnx");

    public static ModelFiles Ensure(string cacheDirectory)
    {
        var directory = Path.Combine(cacheDirectory, ModelStoreOptions.CacheFolderName(Name));
        return Cache.Ensure(directory, Name, built => Build(ShippedMiniLm.Ensure(cacheDirectory), built));
    }

    public static void Build(ModelFiles encoder, string directory)
    {
        var (weights, bias) = HeadWeights();
        var spliced = WithHead(encoder, weights, bias);
        encoder.CopyTokenizerTo(directory);
        AtomicFile.WriteText(Path.Combine(directory, "config.json"),
            $"{{\"architectures\": [\"BertForSequenceClassification\"], \"num_labels\": 1, \"{ModelFiles.NotRelevanceMarker}\": true}}\n");
        AtomicFile.WriteText(Path.Combine(directory, "README.md"),
            $"# {Name}\n\nDerived from {ShippedMiniLm.RepoId} (the encoder and its [CLS] pooler) plus a one-logit head with " +
            "deterministic, untrained weights. Same compute as cross-encoder/ms-marco-MiniLM-L-6-v2, so it is fit for timing; " +
            "its scores mean nothing and must not be read as relevance.\n");
        AtomicFile.Write(Path.Combine(directory, "model.onnx"), spliced);
    }

    /// <summary>The shipped encoder graph with a one-logit head (MatMul + Add named classifier.weight/bias) on its pooled [CLS] output.</summary>
    public static byte[] WithHead(ModelFiles encoder, float[] weights, float[] bias)
    {
        var model = File.ReadAllBytes(encoder.OnnxPath);
        if (!OnnxGraphSplicer.OutputNames(model).Contains(PooledOutput))
        {
            throw new InvalidDataException($"'{encoder.OnnxPath}' has no pooled [CLS] output '{PooledOutput}'; it is not the shipped MiniLM graph.");
        }

        return OnnxGraphSplicer.Splice(
            model,
            [
                OnnxNodes.Create("classifier_matmul", "MatMul", "", [PooledOutput, "classifier.weight"], ["classifier_out"]),
                OnnxNodes.Create("classifier_add", "Add", "", ["classifier_out", "classifier.bias"], ["logits"]),
            ],
            [
                new OnnxGraphSplicer.FloatTensor("classifier.weight", [Hidden, 1], weights),
                new OnnxGraphSplicer.FloatTensor("classifier.bias", [1], bias),
            ],
            [new OnnxGraphSplicer.FloatOutput("logits", [null, 1])]);
    }

    /// <summary>Deterministic small weights (xorshift32, uniform in ±0.1) so every machine builds the same file.</summary>
    private static (float[] Weights, float[] Bias) HeadWeights()
    {
        var state = Seed;
        float Next()
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            return (state / (float)uint.MaxValue - 0.5f) * 0.2f;
        }

        var weights = new float[Hidden];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = Next();
        }

        return (weights, [0.05f]);
    }
}
