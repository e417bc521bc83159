using System.Diagnostics;
using System.Numerics.Tensors;
using RerankCluster.Inference.Batching;
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
    private readonly DeviceQueue _device = new();
    private readonly InferenceThread _thread = new("bi-encoder");
    private readonly ThroughputMeter _throughput = new(1);
    private readonly TimeSpan _maxBulkCallTime;

    public BiEncoder(ModelFiles model, OnnxSessionFactory sessions, int maxLength = 256, int batchSize = 32, TimeSpan maxBulkCallTime = default)
        : this(model, maxLength, batchSize, maxBulkCallTime)
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
    public BiEncoder(ModelFiles model, SimulatedAccelerator accelerator, int dimension, int maxLength = 256, int batchSize = 32,
        TimeSpan maxBulkCallTime = default)
        : this(model with { Name = $"{model.Name} (simulated accelerator)", IsRelevanceModel = false }, maxLength, batchSize, maxBulkCallTime)
    {
        _simulated = accelerator;
        Provider = ExecutionProvider.Simulated;
        Dimension = dimension;
    }

    private BiEncoder(ModelFiles model, int maxLength, int batchSize, TimeSpan maxBulkCallTime)
    {
        if (maxLength < 8)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), "The bi-encoder's maximum length must be at least 8 tokens.");
        }

        Model = model;
        MaxLength = maxLength;
        BatchSize = Math.Max(1, batchSize);
        _maxBulkCallTime = maxBulkCallTime;
        Tokenizer = model.CreateTokenizer();
    }

    public ModelFiles Model { get; }

    public TextTokenizer Tokenizer { get; }

    public int MaxLength { get; }

    public int BatchSize { get; }

    public int Dimension { get; }

    public ExecutionProvider Provider { get; }

    public float[] Embed(string text) => Embed([text])[0];

    /// <summary>Embeds texts as interactive work, blocking the calling thread (offline tools; a silo uses <see cref="EmbedAsync"/>).</summary>
    public float[][] Embed(IReadOnlyList<string> texts) => EmbedAsync(texts, DeviceWork.Interactive).GetAwaiter().GetResult();

    /// <summary>
    /// Embeds texts in length-sorted batches, each model call taking the device in <paramref name="work"/>'s
    /// turn (<see cref="DeviceQueue"/>) and running off the caller's thread. A bulk call is cut short enough to
    /// take at most BiEncoder:MaxBulkCallTime at the measured speed, so a query never waits longer behind ingestion.
    /// </summary>
    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, DeviceWork work, CancellationToken cancellationToken = default)
    {
        var tokens = texts.Select(Tokenizer.Tokenize).ToArray();
        var result = new float[tokens.Length][];
        // Sorting by length keeps the padding of each batch small.
        var order = Enumerable.Range(0, tokens.Length).OrderBy(i => tokens[i].Length).ToArray();
        for (var start = 0; start < order.Length;)
        {
            var slice = order.AsSpan(start, RowsPerCall(tokens, order, start, work)).ToArray();
            start += slice.Length;
            var sequences = slice.Select(i =>
            {
                var ids = Tokenizer.EncodeSingle(tokens[i], MaxLength);
                return (ids, new int[ids.Length]);
            }).ToArray();
            using var batch = EncodedBatch.Pad(sequences, Tokenizer.PadId);
            float[][] pooled;
            using (await _device.EnterAsync(work, cancellationToken))
            {
                var clock = Stopwatch.StartNew();
                pooled = await _thread.Run(() => MeanPool(batch), cancellationToken);
                _throughput.Record((long)batch.Rows * batch.Width, clock.Elapsed);
            }

            for (var r = 0; r < slice.Length; r++)
            {
                result[slice[r]] = pooled[r];
            }
        }

        return result;
    }

    /// <summary>Rows of the next call: BiEncoder:BatchSize, or for bulk work as many as fit MaxBulkCallTime at the measured speed (at least one).</summary>
    private int RowsPerCall(int[][] tokens, int[] order, int start, DeviceWork work)
    {
        var most = Math.Min(BatchSize, order.Length - start);
        var rate = _throughput.TokensPerSecond;
        if (work != DeviceWork.Bulk || _maxBulkCallTime <= TimeSpan.Zero || rate <= 0)
        {
            return most;
        }

        var budget = rate * _maxBulkCallTime.TotalSeconds;
        var rows = 1;
        // Sorted shortest first: a batch pads to its last row.
        while (rows < most && (rows + 1) * PaddedWidth(tokens[order[start + rows]]) <= budget)
        {
            rows++;
        }

        return rows;
    }

    private int PaddedWidth(int[] tokens) => Math.Min(tokens.Length, MaxLength - 2) + 2;

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
            for (var t = 0; t < width; t++)
            {
                if (mask[r * batch.Width + t] == 0)
                {
                    continue;
                }

                var token = hidden.Slice((r * width + t) * dim, dim);
                TensorPrimitives.Add(sum, token, sum);
            }

            // Mean pooling then unit length: the mean's divisor cancels, so the sum is normalised directly.
            VectorMath.Normalize(sum);
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

    public void Dispose()
    {
        _thread.Dispose();
        _session?.Dispose();
    }
}
