using RerankCluster.Inference;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Models.OnnxGraph;

namespace RerankCluster.UnitTests;

[Collection(ModelCollection.Name)]
public sealed class QuantizationTests(ModelFixture models)
{
    [Fact]
    public void Column_quantisation_round_trips_within_half_a_step()
    {
        float[] weights = [0.5f, -2f, 0.25f, 1f, -0.1f, 0.7f];
        var (quantized, scales, k, n) = OnnxInt8Quantizer.QuantizeColumns(weights, 2, 3);
        Assert.Equal(2, k);
        Assert.Equal(3, n);
        Assert.Equal(2f / 127, scales[1], 1e-7f);
        for (var i = 0; i < weights.Length; i++)
        {
            var restored = (sbyte)quantized[i] * scales[i % 3];
            Assert.InRange(restored - weights[i], -scales[i % 3] / 2 - 1e-6f, scales[i % 3] / 2 + 1e-6f);
        }
    }

    [Fact]
    public void Int8_bi_encoder_keeps_embeddings_close_to_fp32()
    {
        var int8 = QuantizedModel.Ensure(models.BiEncoder.Model, models.CacheDirectory);
        var report = Report(models.BiEncoder.Model);
        Assert.True(report.QuantizedMatMuls >= 36, $"only {report.QuantizedMatMuls} MatMuls quantised"); // 6 layers × (Q, K, V, O, FF1, FF2)
        Assert.True(report.Int8WeightBytes * 3 < report.Fp32WeightBytes);

        using var quantized = new BiEncoder(int8, models.Sessions);
        string[] texts = ["How do I reset my password?", "The tide pools were full of starfish.", "Quarterly revenue grew by ten percent."];
        var fp32 = models.BiEncoder.Embed(texts);
        var q8 = quantized.Embed(texts);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(VectorMath.Dot(fp32[i], q8[i]) > 0.97f, $"cosine {VectorMath.Dot(fp32[i], q8[i])} for '{texts[i]}'");
        }
    }

    [Fact]
    public void Int8_cross_encoder_loads_and_scores_near_fp32()
    {
        using var quantized = new CrossEncoder(QuantizedModel.Ensure(models.CrossEncoder.Model, models.CacheDirectory), models.Sessions);
        Assert.False(quantized.ScoresAreRelevance);
        var passages = Enumerable.Range(0, 12).Select(i => $"passage {i} " + string.Join(' ', Enumerable.Repeat("river delta", i + 1))).ToArray();
        var fp32 = models.CrossEncoder.Score("where do rivers end", passages);
        var q8 = quantized.Score("where do rivers end", passages);
        var spread = fp32.Max() - fp32.Min();
        Assert.True(spread > 0);
        Assert.All(fp32.Zip(q8), pair => Assert.InRange(Math.Abs(pair.First - pair.Second), 0, 0.05 + spread / 2));
    }

    private static OnnxInt8Quantizer.Report Report(ModelFiles model)
    {
        OnnxInt8Quantizer.Quantize(File.ReadAllBytes(model.OnnxPath), out var report);
        return report;
    }
}
