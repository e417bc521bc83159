using System.Numerics.Tensors;
using RerankCluster.Inference;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Models.OnnxGraph;
using RerankCluster.Inference.Onnx;

namespace RerankCluster.UnitTests;

[Collection(ModelCollection.Name)]
public sealed class QuantizationTests(ModelFixture models)
{
    [Fact]
    public void Column_quantisation_round_trips_within_half_a_step()
    {
        float[] weights = [0.5f, -2f, 0.25f, 1f, -0.1f, 0.7f];
        var quantized = OnnxInt8Quantizer.QuantizeColumns(weights, 2, 3, out var scales);
        Assert.Equal(2f / 127, scales[1], 1e-7f);
        for (var i = 0; i < weights.Length; i++)
        {
            var restored = (sbyte)quantized[i] * scales[i % 3];
            Assert.InRange(restored - weights[i], -scales[i % 3] / 2 - 1e-6f, scales[i % 3] / 2 + 1e-6f);
        }
    }

    [Fact]
    public void Block_quantisation_is_transposed_offset_by_128_and_round_trips_within_half_a_step()
    {
        const int k = 32, n = 3, block = 16;
        var random = new Random(5);
        var weights = Enumerable.Range(0, k * n).Select(i => (float)(random.NextDouble() * 2 - 1) * (i % 7 == 0 ? 4 : 1)).ToArray();
        var quantized = OnnxInt8Quantizer.QuantizeBlocks(weights, k, n, block, out var scales);
        Assert.Equal(n * (k / block), scales.Length);
        for (var row = 0; row < k; row++)
        {
            for (var column = 0; column < n; column++)
            {
                var blockMax = Enumerable.Range(row / block * block, block).Max(r => Math.Abs(weights[r * n + column]));
                var scale = scales[column * (k / block) + row / block];
                Assert.Equal(blockMax / 127, scale, 1e-6f);
                var restored = (quantized[column * k + row] - 128) * scale;
                Assert.InRange(restored - weights[row * n + column], -scale / 2 - 1e-6f, scale / 2 + 1e-6f);
            }
        }

        Assert.Equal(128, OnnxInt8Quantizer.BlockSize(384));
        Assert.Equal(0, OnnxInt8Quantizer.BlockSize(100));
        Assert.Throws<ArgumentException>(() => OnnxInt8Quantizer.QuantizeBlocks(weights, k, n, 24, out _));
    }

    [Fact]
    public void Calibration_measures_each_channels_largest_magnitude()
    {
        // Measured on a graph output, the calibrator's ranges must equal the maxima taken directly.
        using var batch = models.BiEncoder.Tokenizer.EncodeSingles(["tide pools and starfish", "a much longer sentence about quarterly revenue growth"], 64);
        var model = File.ReadAllBytes(models.BiEncoder.Model.OnnxPath);
        var ranges = ActivationRangeCalibrator.Measure(model, new Dictionary<string, long> { ["last_hidden_state"] = 384 }, [batch]);

        var session = models.Sessions.Create(models.BiEncoder.Model.OnnxPath, out var provider);
        using var bert = new BertOnnxSession(session, provider, _ => "last_hidden_state");
        var hidden = bert.Run(batch, out _);
        var expected = Enumerable.Range(0, 384).Select(j => hidden.Where((_, i) => i % 384 == j).Max(Math.Abs)).ToArray();
        Assert.Equal(expected, ranges["last_hidden_state"]);
    }

    [Fact]
    public void The_quantiser_smooths_every_activation_it_has_ranges_for_and_makes_down_projections_blockwise()
    {
        var model = File.ReadAllBytes(models.BiEncoder.Model.OnnxPath);
        var inputs = OnnxInt8Quantizer.QuantizedInputs(model);
        // 6 layers × (Q/K/V input, attention output input, feed-forward input, GELU output).
        Assert.Equal(24, inputs.Count);
        Assert.Equal(6, inputs.Count(i => i.Value == 1536));

        OnnxInt8Quantizer.Quantize(model, out var plain);
        OnnxInt8Quantizer.Quantize(model, out var mixed, ReducedPrecisionModel.Calibrate(models.BiEncoder.Model, model), blockwiseDownProjections: true);

        Assert.Equal(36, plain.QuantizedMatMuls); // 6 layers × (Q, K, V, O, FF1, FF2)
        Assert.Equal(0, plain.BlockwiseMatMuls);
        Assert.Equal(0, plain.SmoothedActivations);
        Assert.Equal(36, mixed.QuantizedMatMuls);
        Assert.Equal(6, mixed.BlockwiseMatMuls);
        Assert.Equal(24, mixed.SmoothedActivations);
        Assert.True(mixed.Int8WeightBytes * 3 < mixed.Fp32WeightBytes);
    }

    [Theory]
    [InlineData(ModelPrecision.Int8)]
    [InlineData(ModelPrecision.Int8Dynamic)]
    public void Int8_bi_encoder_keeps_embeddings_close_to_fp32(ModelPrecision precision)
    {
        using var quantized = new BiEncoder(ReducedPrecisionModel.Ensure(models.BiEncoder.Model, models.CacheDirectory, precision), models.Sessions);
        string[] texts = ["How do I reset my password?", "The tide pools were full of starfish.", "Quarterly revenue grew by ten percent."];
        var fp32 = models.BiEncoder.Embed(texts);
        var q8 = quantized.Embed(texts);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(TensorPrimitives.Dot(fp32[i], q8[i]) > 0.97f, $"cosine {TensorPrimitives.Dot(fp32[i], q8[i])} for '{texts[i]}'");
        }
    }

    [Theory]
    [InlineData(ModelPrecision.Int8)]
    [InlineData(ModelPrecision.Int8Dynamic)]
    public void Int8_cross_encoder_loads_and_scores_near_fp32(ModelPrecision precision)
    {
        using var quantized = new CrossEncoder(ReducedPrecisionModel.Ensure(models.CrossEncoder.Model, models.CacheDirectory, precision), models.Sessions);
        Assert.False(quantized.ScoresAreRelevance);
        var passages = Passages();
        var fp32 = models.CrossEncoder.Score("where do rivers end", passages);
        var q8 = quantized.Score("where do rivers end", passages);
        var spread = fp32.Max() - fp32.Min();
        Assert.True(spread > 0);
        Assert.All(fp32.Zip(q8), pair => Assert.InRange(Math.Abs(pair.First - pair.Second), 0, 0.05 + spread / 2));
    }

    [Fact]
    public void Fp16_cross_encoder_halves_the_matmul_weights_and_scores_within_fp16_rounding_of_fp32()
    {
        var model = File.ReadAllBytes(models.CrossEncoder.Model.OnnxPath);
        OnnxFp16Converter.Convert(model, out var report);
        Assert.Equal(36, report.ConvertedMatMuls);
        Assert.True(report.KeptMatMuls >= 1, "the one-logit head stays fp32");

        // fp16 MatMuls run on ONNX Runtime's CPU provider too (slowly), which is what lets this check run without a GPU.
        using var fp16 = new CrossEncoder(ReducedPrecisionModel.Ensure(models.CrossEncoder.Model, models.CacheDirectory, ModelPrecision.Fp16), models.Sessions);
        var passages = Passages();
        var expected = models.CrossEncoder.Score("where do rivers end", passages);
        var actual = fp16.Score("where do rivers end", passages);
        Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First, pair.Second, 2e-2f));
        Assert.NotEqual(expected, actual);
    }

    [Fact]
    public void A_reduced_precision_copy_is_rebuilt_when_its_source_changes_under_the_same_name()
    {
        var source = Directory.CreateTempSubdirectory("source").FullName;
        var cache = Directory.CreateTempSubdirectory("cache").FullName;
        foreach (var file in Directory.GetFiles(models.CrossEncoder.Model.Directory))
        {
            File.Copy(file, Path.Combine(source, Path.GetFileName(file)));
        }

        var first = ReducedPrecisionModel.Ensure(ModelFiles.Open(source, "test/changing"), cache, ModelPrecision.Fp16);
        var firstBytes = File.ReadAllBytes(first.OnnxPath);
        Assert.Equal(firstBytes, File.ReadAllBytes(ReducedPrecisionModel.Ensure(ModelFiles.Open(source, "test/changing"), cache, ModelPrecision.Fp16).OnnxPath));

        // The same name now holds another graph (the bi-encoder): its copy must come from it, not from the cache.
        File.Copy(models.BiEncoder.Model.OnnxPath, Path.Combine(source, "model.onnx"), overwrite: true);
        var second = ReducedPrecisionModel.Ensure(ModelFiles.Open(source, "test/changing"), cache, ModelPrecision.Fp16);

        Assert.Equal(first.OnnxPath, second.OnnxPath);
        Assert.Equal(OnnxFp16Converter.Convert(File.ReadAllBytes(models.BiEncoder.Model.OnnxPath), out _), File.ReadAllBytes(second.OnnxPath));
    }

    private static string[] Passages() =>
        Enumerable.Range(0, 12).Select(i => $"passage {i} " + string.Join(' ', Enumerable.Repeat("river delta", i + 1))).ToArray();
}
