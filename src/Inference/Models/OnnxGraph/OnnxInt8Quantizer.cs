using System.Runtime.InteropServices;
using RerankCluster.Inference.Models.OnnxGraph.Schema;
using DataType = RerankCluster.Inference.Models.OnnxGraph.Schema.TensorProto.Types.DataType;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// Int8 quantisation of an fp32 ONNX graph, done here in C#. Every MatMul whose weight is a constant
/// 2-D float tensor gets an int8 weight and an int8 kernel of ONNX Runtime (com.microsoft):
/// <list type="bullet">
/// <item>DynamicQuantizeMatMul: weight symmetric with one scale per output column; the activation is
/// quantised at run time with one scale for the whole tensor. Fastest, but a few outlier channels or
/// tokens flatten every other value to a handful of levels.</item>
/// <item>MatMulNBits (8 bits, blocks of up to 128 along K, accuracy level 4): weight scales per block,
/// and the activation quantised per token and per block, so outliers only cost their own block.
/// Slower on the CPU, far closer to fp32. Used for the down-projections (K &gt; N: the feed-forward
/// output, which reads the heavy-tailed GELU activations) when <c>blockwiseDownProjections</c> is set,
/// the MatMuls measured to lose the most ranking agreement under per-tensor quantisation.</item>
/// </list>
/// Given each activation's per-channel range from calibration, activations are first smoothed
/// (SmoothQuant, alpha 0.5): channel j is divided by s_j = sqrt(max|x_j| / max|w_j|) and row j of the
/// weight multiplied by it, which leaves the fp32 product unchanged and moves outlier channels into the
/// weight scales. Small matrices (the one-logit head) stay fp32, where int8 would cost accuracy and save nothing.
/// </summary>
public static class OnnxInt8Quantizer
{
    private const int MaximumBlock = 128;
    private const string MicrosoftDomain = "com.microsoft";

    public sealed record Report(int QuantizedMatMuls, int BlockwiseMatMuls, int KeptMatMuls, int SmoothedActivations, long Fp32WeightBytes, long Int8WeightBytes);

    /// <summary>The activations the quantised MatMuls read, each with its channel count: what calibration measures.</summary>
    public static IReadOnlyDictionary<string, long> QuantizedInputs(byte[] model, int minimumDimension = 16)
    {
        var graph = WeightedMatMulGraph.Parse(model, minimumDimension);
        return graph.MatMuls.GroupBy(n => n.Input[0]).ToDictionary(g => g.Key, g => graph.Weight(g.First()).Dims[0]);
    }

    /// <param name="activationRanges">Per-channel max |x| of MatMul inputs (see <see cref="QuantizedInputs"/>); those given are smoothed.</param>
    /// <param name="blockwiseDownProjections">Down-projections (K &gt; N) become MatMulNBits instead of DynamicQuantizeMatMul.</param>
    public static byte[] Quantize(byte[] model, out Report report, IReadOnlyDictionary<string, float[]>? activationRanges = null,
        bool blockwiseDownProjections = false, int minimumDimension = 16)
    {
        var graph = WeightedMatMulGraph.Parse(model, minimumDimension);
        var weights = graph.MatMuls.Select(graph.Weight).DistinctBy(w => w.Name).ToDictionary(w => w.Name, OnnxTensors.Floats);
        var smoothing = SmoothingFactors(graph, weights, activationRanges ?? new Dictionary<string, float[]>());
        var quantized = new Dictionary<string, QuantizedWeight>();
        foreach (var node in graph.MatMuls.Where(n => !quantized.ContainsKey(n.Input[1])))
        {
            var weight = graph.Weight(node);
            var (k, n) = (weight.Dims[0], weight.Dims[1]);
            var values = weights[weight.Name];
            if (smoothing.TryGetValue(node.Input[0], out var factors))
            {
                ScaleRows(values, factors);
            }

            var block = blockwiseDownProjections && k > n ? BlockSize(k) : 0;
            quantized[weight.Name] = block > 0
                ? new QuantizedWeight(QuantizeBlocks(values, k, n, block, out var blockScales), blockScales, k, n, block)
                : new QuantizedWeight(QuantizeColumns(values, k, n, out var columnScales), columnScales, k, n, 0);
        }

        var smoothed = new HashSet<string>();
        var result = graph.Rewrite(node =>
        {
            var weight = quantized[node.Input[1]];
            var input = node.Input[0];
            var replacement = new List<NodeProto>();
            if (smoothing.ContainsKey(input))
            {
                // The division by s, once per activation, just before its first reader.
                if (smoothed.Add(input))
                {
                    replacement.Add(OnnxNodes.Create(input + "/Smooth", "Mul", "", [input, input + "_smooth_inverse"], [input + "_smoothed"]));
                }

                input += "_smoothed";
            }

            string[] inputs = [input, node.Input[1] + "_int8", node.Input[1] + "_scale"];
            // MatMulNBits at accuracy level 4: int8 compute with the activation quantised per block, not fp32 on dequantised weights.
            replacement.Add(weight.Block == 0
                ? OnnxNodes.Create(node.Name, "DynamicQuantizeMatMul", MicrosoftDomain, inputs, node.Output)
                : OnnxNodes.Create(node.Name, "MatMulNBits", MicrosoftDomain, inputs, node.Output,
                    ("K", weight.K), ("N", weight.N), ("bits", 8), ("block_size", weight.Block), ("accuracy_level", 4)));
            return replacement;
        }, quantized.SelectMany(q => new[]
            {
                // MatMulNBits takes the weight transposed, [N, K / block, block], offset by its default zero point 128.
                OnnxTensors.Create(q.Key + "_int8", q.Value.Block == 0 ? [q.Value.K, q.Value.N] : [q.Value.N, q.Value.K / q.Value.Block, q.Value.Block],
                    q.Value.Block == 0 ? DataType.Int8 : DataType.Uint8, q.Value.Values),
                OnnxTensors.Float(q.Key + "_scale", [q.Value.Scales.Length], q.Value.Scales),
            })
            .Concat(smoothing.Select(s => OnnxTensors.Float(s.Key + "_smooth_inverse", [s.Value.Length], s.Value.Select(f => 1f / f).ToArray()))));

        var fp32Bytes = quantized.Values.Sum(q => q.K * q.N * sizeof(float));
        var int8Bytes = quantized.Values.Sum(q => q.K * q.N + q.Scales.Length * sizeof(float));
        report = new Report(graph.MatMuls.Count, graph.MatMuls.Count(n => quantized[n.Input[1]].Block > 0), graph.OtherMatMuls,
            smoothing.Count, fp32Bytes, int8Bytes);
        return result;
    }

    /// <summary>The largest power of two up to 128 (16 at least) that divides K; 0 when none does.</summary>
    public static int BlockSize(long k)
    {
        for (var block = MaximumBlock; block >= 16; block /= 2)
        {
            if (k % block == 0)
            {
                return block;
            }
        }

        return 0;
    }

    /// <summary>
    /// s_j = sqrt(max|x_j| / max|w_j|) per input channel j, the weight side taken over every MatMul reading
    /// the activation. An activation whose weights other activations also read is left alone: one weight
    /// cannot carry two smoothings.
    /// </summary>
    private static Dictionary<string, float[]> SmoothingFactors(WeightedMatMulGraph graph, IReadOnlyDictionary<string, float[]> weightValues,
        IReadOnlyDictionary<string, float[]> ranges)
    {
        var factors = new Dictionary<string, float[]>();
        foreach (var readers in graph.MatMuls.GroupBy(n => n.Input[0]))
        {
            var weights = readers.DistinctBy(n => n.Input[1]).Select(graph.Weight).ToArray();
            var k = weights[0].Dims[0];
            if (!ranges.TryGetValue(readers.Key, out var range) || range.Length != k ||
                graph.MatMuls.Any(n => n.Input[0] != readers.Key && weights.Any(w => w.Name == n.Input[1])))
            {
                continue;
            }

            var weightRange = new float[k];
            foreach (var tensor in weights)
            {
                var values = weightValues[tensor.Name];
                var n = tensor.Dims[1];
                for (var j = 0; j < k; j++)
                {
                    for (var c = 0; c < n; c++)
                    {
                        weightRange[j] = Math.Max(weightRange[j], Math.Abs(values[j * n + c]));
                    }
                }
            }

            const float floor = 1e-5f;
            factors[readers.Key] = Enumerable.Range(0, (int)k)
                .Select(j => Math.Clamp(MathF.Sqrt(Math.Max(range[j], floor) / Math.Max(weightRange[j], floor)), 1e-2f, 1e2f))
                .ToArray();
        }

        return factors;
    }

    private static void ScaleRows(float[] weights, float[] factors)
    {
        var n = weights.Length / factors.Length;
        for (var j = 0; j < factors.Length; j++)
        {
            foreach (ref var value in weights.AsSpan(j * n, n))
            {
                value *= factors[j];
            }
        }
    }

    /// <summary>
    /// Symmetric per-block int8 along K for each output column, stored transposed ([N][K / block][block])
    /// and offset by 128, as MatMulNBits reads it; one scale per column and block.
    /// </summary>
    public static byte[] QuantizeBlocks(float[] weights, long k, long n, int block, out float[] scales)
    {
        if (block <= 0 || k % block != 0)
        {
            throw new ArgumentException($"K = {k} is not a multiple of the block size {block}.", nameof(block));
        }

        var blocks = k / block;
        var quantized = new byte[n * k];
        scales = new float[n * blocks];
        for (var column = 0L; column < n; column++)
        {
            for (var b = 0L; b < blocks; b++)
            {
                var max = 0f;
                for (var row = b * block; row < (b + 1) * block; row++)
                {
                    max = Math.Max(max, Math.Abs(weights[row * n + column]));
                }

                var scale = max > 0 ? max / 127f : 1f;
                scales[column * blocks + b] = scale;
                for (var row = b * block; row < (b + 1) * block; row++)
                {
                    quantized[column * k + row] = (byte)(Math.Clamp((int)MathF.Round(weights[row * n + column] / scale), -127, 127) + 128);
                }
            }
        }

        return quantized;
    }

    /// <summary>Symmetric per-column int8: scale = max |w| / 127 over each column of the [K, N] weight.</summary>
    public static byte[] QuantizeColumns(float[] weights, long k, long n, out float[] scales)
    {
        scales = new float[n];
        for (var row = 0L; row < k; row++)
        {
            for (var column = 0L; column < n; column++)
            {
                scales[column] = Math.Max(scales[column], Math.Abs(weights[row * n + column]));
            }
        }

        for (var column = 0; column < n; column++)
        {
            scales[column] = scales[column] > 0 ? scales[column] / 127f : 1f;
        }

        var quantized = new byte[k * n];
        for (var row = 0L; row < k; row++)
        {
            for (var column = 0L; column < n; column++)
            {
                var value = (int)MathF.Round(weights[row * n + column] / scales[column]);
                quantized[row * n + column] = unchecked((byte)(sbyte)Math.Clamp(value, -127, 127));
            }
        }

        return quantized;
    }

    private sealed record QuantizedWeight(byte[] Values, float[] Scales, long K, long N, int Block);
}
