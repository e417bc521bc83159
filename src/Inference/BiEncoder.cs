using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;
using RerankCluster.Inference.Simulation;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Inference;

/// <summary>
/// Sentence embeddings from a BERT-family encoder: mean pooling of the last hidden state over the
/// attention mask, L2-normalised, so a dot product is a cosine similarity.
/// </summary>
public sealed class BiEncoder : IDisposable
{
    private readonly BertOnnxSession? _session;
    private readonly SimulatedAccelerator? _simulated;

    public BiEncoder(ModelFiles model, OnnxSessionFactory sessions, int maxLength = 256, int batchSize = 32)
        : this(model, maxLength, batchSize)
    {
        var session = sessions.Create(model.OnnxPath, out var provider);
        _session = new BertOnnxSession(session, provider, ChooseHiddenState);
        Provider = provider;
        Dimension = _session.OutputDimensions[^1];
        if (Dimension <= 0)
        {
            throw new NotSupportedException($"The bi-encoder output '{_session.OutputName}' has no fixed hidden size.");
        }
    }

    /// <summary>
    /// The model's tokenizer with a simulated accelerator in place of its graph: real tokenisation,
    /// modelled inference time, hashed bag-of-token vectors (scale tests only).
    /// </summary>
    public BiEncoder(ModelFiles model, SimulatedAccelerator accelerator, int dimension, int maxLength = 256, int batchSize = 32)
        : this(model with { Name = $"{model.Name} (simulated accelerator)", IsRelevanceModel = false }, maxLength, batchSize)
    {
        _simulated = accelerator;
        Provider = ExecutionProvider.Simulated;
        Dimension = dimension;
    }

    private BiEncoder(ModelFiles model, int maxLength, int batchSize)
    {
        if (maxLength < 8)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), "The bi-encoder's maximum length must be at least 8 tokens.");
        }

        Model = model;
        MaxLength = maxLength;
        BatchSize = Math.Max(1, batchSize);
        Tokenizer = model.CreateTokenizer();
    }

    public ModelFiles Model { get; }

    public BertTextTokenizer Tokenizer { get; }

    public int MaxLength { get; }

    public int BatchSize { get; }

    public int Dimension { get; }

    public ExecutionProvider Provider { get; }

    public float[] Embed(string text) => Embed([text])[0];

    public float[][] Embed(IReadOnlyList<string> texts) =>
        EmbedTokens(texts.Select(Tokenizer.Tokenize).ToArray());

    /// <summary>Embeds already-tokenised texts (no special tokens), batching similar lengths together.</summary>
    public float[][] EmbedTokens(IReadOnlyList<int[]> tokens)
    {
        var result = new float[tokens.Count][];
        // Sorting by length keeps the padding of each batch small.
        var order = Enumerable.Range(0, tokens.Count).OrderBy(i => tokens[i].Length).ToArray();
        for (var start = 0; start < order.Length; start += BatchSize)
        {
            var slice = order.AsSpan(start, Math.Min(BatchSize, order.Length - start)).ToArray();
            var sequences = slice.Select(i =>
            {
                var ids = Tokenizer.EncodeSingle(tokens[i], MaxLength);
                return (ids, new int[ids.Length]);
            }).ToArray();
            using var batch = EncodedBatch.Pad(sequences, Tokenizer.PadId);
            var pooled = MeanPool(batch);
            for (var r = 0; r < slice.Length; r++)
            {
                result[slice[r]] = pooled[r];
            }
        }

        return result;
    }

    private float[][] MeanPool(EncodedBatch batch) =>
        _simulated?.Embed(batch, Dimension) ?? _session!.Run(batch, (hidden, shape) => MeanPool(batch, hidden, shape));

    private static float[][] MeanPool(EncodedBatch batch, ReadOnlySpan<float> hidden, ReadOnlySpan<long> shape)
    {
        var mask = batch.AttentionMask.Span;
        var rows = (int)shape[0];
        var width = (int)shape[1];
        var dim = (int)shape[2];
        var result = new float[rows][];
        for (var r = 0; r < rows; r++)
        {
            var sum = new float[dim];
            var count = 0;
            for (var t = 0; t < width; t++)
            {
                if (mask[r * batch.Width + t] == 0)
                {
                    continue;
                }

                count++;
                var token = hidden.Slice((r * width + t) * dim, dim);
                for (var d = 0; d < dim; d++)
                {
                    sum[d] += token[d];
                }
            }

            VectorMath.Normalize(sum, Math.Max(1, count));
            result[r] = sum;
        }

        return result;
    }

    private static string ChooseHiddenState(IReadOnlyDictionary<string, Microsoft.ML.OnnxRuntime.NodeMetadata> outputs)
    {
        if (outputs.ContainsKey("last_hidden_state"))
        {
            return "last_hidden_state";
        }

        return outputs.FirstOrDefault(o => o.Value.Dimensions.Length == 3).Key
            ?? throw new NotSupportedException("The bi-encoder graph has no [batch, sequence, hidden] output to mean-pool.");
    }

    public void Dispose() => _session?.Dispose();
}
