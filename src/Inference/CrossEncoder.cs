using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;
using RerankCluster.Inference.Simulation;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Inference;

/// <summary>
/// A cross-encoder over a Hugging Face sequence-classification export: reads query and passage
/// together and returns one raw logit per pair. Rank by the logit; sigmoid(logit) is the probability.
/// </summary>
public sealed class CrossEncoder : IDisposable
{
    private readonly BertOnnxSession? _session;
    private readonly SimulatedAccelerator? _simulated;

    public CrossEncoder(ModelFiles model, OnnxSessionFactory sessions, int maxLength = 512)
        : this(model, maxLength)
    {
        var session = sessions.Create(model.OnnxPath, out var provider);
        _session = new BertOnnxSession(session, provider, ChooseLogits);
        Provider = provider;
    }

    /// <summary>
    /// The model's tokenizer with a simulated accelerator in place of its graph: real tokenisation and
    /// batching, modelled inference time, logits that are not relevance (scale tests only).
    /// </summary>
    public CrossEncoder(ModelFiles model, SimulatedAccelerator accelerator, int maxLength = 512)
        : this(model with { Name = $"{model.Name} (simulated accelerator)", IsRelevanceModel = false }, maxLength)
    {
        _simulated = accelerator;
        Provider = ExecutionProvider.Simulated;
    }

    private CrossEncoder(ModelFiles model, int maxLength)
    {
        if (maxLength < 8)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), "The cross-encoder's maximum length must be at least 8 tokens.");
        }

        Model = model;
        MaxLength = maxLength;
        Tokenizer = model.CreateTokenizer();
    }

    public ModelFiles Model { get; }

    public TextTokenizer Tokenizer { get; }

    public int MaxLength { get; }

    public ExecutionProvider Provider { get; }

    /// <summary>False for models (such as the derived test cross-encoder) whose scores mean nothing.</summary>
    public bool ScoresAreRelevance => Model.IsRelevanceModel;

    /// <summary>Scores every passage against the query in one padded batch, in input order.</summary>
    public float[] Score(string query, IReadOnlyList<string> passages)
    {
        if (passages.Count == 0)
        {
            return [];
        }

        using var batch = Tokenizer.EncodePairs(query, passages, MaxLength);
        return Score(batch);
    }

    public float[] Score(EncodedBatch batch) => _simulated?.Score(batch) ?? _session!.Run(batch, (logits, shape) =>
    {
        var columns = shape.Length == 1 ? 1 : shape[1];
        if (columns != 1 || shape[0] != batch.Rows)
        {
            throw new NotSupportedException(
                $"The cross-encoder output '{_session!.OutputName}' has shape [{string.Join(", ", shape.ToArray())}]; one logit per pair was expected.");
        }

        return logits.ToArray();
    });

    private static string ChooseLogits(IReadOnlyDictionary<string, Microsoft.ML.OnnxRuntime.NodeMetadata> outputs)
    {
        if (outputs.ContainsKey("logits"))
        {
            return "logits";
        }

        return outputs.FirstOrDefault(o => o.Value.Dimensions.Length is 1 or 2).Key
            ?? throw new NotSupportedException("The cross-encoder graph has no [batch, 1] logits output.");
    }

    public void Dispose() => _session?.Dispose();
}
