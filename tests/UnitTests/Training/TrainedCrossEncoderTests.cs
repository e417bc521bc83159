using System.Text;
using RerankCluster.Inference;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;
using RerankCluster.Inference.Tokenization;
using RerankCluster.Training.Trainer;

namespace RerankCluster.UnitTests.Training;

[Collection(ModelCollection.Name)]
public sealed class TrainedCrossEncoderTests(ModelFixture models)
{
    private const int Hidden = 384;

    [Fact]
    public void A_weight_pack_rebuilds_a_graph_whose_logits_are_its_head_over_the_pooled_output()
    {
        var head = Enumerable.Range(0, Hidden).Select(i => MathF.Sin(i) * 0.05f).ToArray();
        var directory = Directory.CreateTempSubdirectory("pack").FullName;
        WritePack(Path.Combine(directory, TrainedCrossEncoder.PackFile), [("classifier.weight", [Hidden, 1], head), ("classifier.bias", [1], [0.25f])]);

        var files = TrainedCrossEncoder.Ensure(Directory.CreateTempSubdirectory("cache").FullName, directory, "test/pack-model");
        using var model = new CrossEncoder(files, models.Sessions);
        var batch = model.Tokenizer.EncodePairs("how do I compress files", ["gzip compresses files", "a chess engine"], 128);
        var logits = model.Score(batch);

        var pooled = Pooled(batch);
        for (var row = 0; row < 2; row++)
        {
            var expected = 0.25f + Enumerable.Range(0, Hidden).Sum(i => (double)pooled[row * Hidden + i] * (float)(Half)head[i]);
            Assert.Equal(expected, logits[row], 3);
        }

        Assert.True(files.IsRelevanceModel);
    }

    [Fact]
    public void Replacing_an_encoder_weight_changes_the_scores_and_a_bad_pack_is_refused()
    {
        var head = Enumerable.Repeat(0.05f, Hidden).ToArray();
        var baseline = Directory.CreateTempSubdirectory("pack").FullName;
        WritePack(Path.Combine(baseline, TrainedCrossEncoder.PackFile), [("classifier.weight", [Hidden, 1], head), ("classifier.bias", [1], [0f])]);
        var changed = Directory.CreateTempSubdirectory("pack").FullName;
        WritePack(Path.Combine(changed, TrainedCrossEncoder.PackFile),
            [("classifier.weight", [Hidden, 1], head), ("classifier.bias", [1], [0f]), ("pooler.dense.bias", [Hidden], Enumerable.Repeat(0.5f, Hidden).ToArray())]);
        var cache = Directory.CreateTempSubdirectory("cache").FullName;

        float Score(string pack, string name)
        {
            using var model = new CrossEncoder(TrainedCrossEncoder.Ensure(cache, pack, name), models.Sessions);
            return model.Score("compress files", ["gzip compresses files"])[0];
        }

        Assert.NotEqual(Score(baseline, "test/a"), Score(changed, "test/b"), 3);

        var wrongShape = Directory.CreateTempSubdirectory("pack").FullName;
        WritePack(Path.Combine(wrongShape, TrainedCrossEncoder.PackFile),
            [("classifier.weight", [Hidden, 1], head), ("classifier.bias", [1], [0f]), ("pooler.dense.bias", [7], new float[7])]);
        Assert.Contains("pooler.dense.bias", Assert.Throws<InvalidDataException>(() => TrainedCrossEncoder.Ensure(cache, wrongShape, "test/c")).Message);

        var unknown = Directory.CreateTempSubdirectory("pack").FullName;
        WritePack(Path.Combine(unknown, TrainedCrossEncoder.PackFile),
            [("classifier.weight", [Hidden, 1], head), ("classifier.bias", [1], [0f]), ("no.such.weight", [1], [1f])]);
        Assert.Contains("no.such.weight", Assert.Throws<InvalidDataException>(() => TrainedCrossEncoder.Ensure(cache, unknown, "test/d")).Message);

        var notAPack = Directory.CreateTempSubdirectory("pack").FullName;
        File.WriteAllText(Path.Combine(notAPack, TrainedCrossEncoder.PackFile), "hello");
        Assert.Contains("RCWP", Assert.Throws<InvalidDataException>(() => TrainedCrossEncoder.Ensure(cache, notAPack, "test/e")).Message);
    }

    [Fact]
    public void The_stage1_weight_beside_a_pack_is_what_the_built_model_declares_and_a_change_rebuilds_it()
    {
        var pack = Directory.CreateTempSubdirectory("pack").FullName;
        WritePack(Path.Combine(pack, TrainedCrossEncoder.PackFile), [("classifier.weight", [Hidden, 1], new float[Hidden]), ("classifier.bias", [1], [0f])]);
        var cache = Directory.CreateTempSubdirectory("cache").FullName;

        Assert.Equal(0, TrainedCrossEncoder.Ensure(cache, pack, "test/serving").Stage1Weight);

        File.WriteAllText(Path.Combine(pack, TrainedCrossEncoder.ServingFile), "{\"stage1_weight\": 0.25}");
        Assert.Equal(0.25, TrainedCrossEncoder.Ensure(cache, pack, "test/serving").Stage1Weight);

        // Read back by any model directory, so a user's own export can declare its weight too.
        var config = Path.Combine(cache, ModelStoreOptions.CacheFolderName("test/serving"), "config.json");
        File.WriteAllText(config, "{\"rerankcluster_stage1_weight\": 1.5}");
        var error = Assert.Throws<InvalidDataException>(() => ModelFiles.Open(Path.GetDirectoryName(config)!, "test/serving"));
        Assert.Contains(ModelFiles.Stage1WeightProperty, error.Message);
    }

    [Fact]
    public void The_shipped_reranker_declares_a_stage1_weight_between_0_and_1_and_the_derived_test_model_none()
    {
        var shipped = TrainedCrossEncoder.Ensure(models.CacheDirectory);
        Assert.InRange(shipped.Stage1Weight, 0.05, 0.95);
        Assert.Equal(0, models.CrossEncoder.Model.Stage1Weight);
    }

    [Fact]
    public void The_shipped_pack_gives_the_logits_its_trainer_computed_on_its_probe_rows()
    {
        // export_parity.json was written by the trainer (torch) from the very weights the pack ships.
        using var shipped = new CrossEncoder(TrainedCrossEncoder.Ensure(models.CacheDirectory), models.Sessions);
        var parity = ExportParity.Check(shipped, Path.Combine(TrainedCrossEncoder.ShippedDirectory, ExportParity.FileName));
        Assert.Equal(16, parity.Rows);
        Assert.True(parity.Passed, $"the shipped pack's logits differ from torch's by {parity.MaxAbsoluteDifference:g}");
    }

    private float[] Pooled(EncodedBatch batch)
    {
        var session = models.Sessions.Create(models.BiEncoder.Model.OnnxPath, out var provider);
        using var bert = new BertOnnxSession(session, provider, _ => "924");
        return bert.Run(batch, out _);
    }

    /// <summary>The trainer's pack layout, written independently of the reader under test.</summary>
    private static void WritePack(string path, IReadOnlyList<(string Name, long[] Dims, float[] Values)> tensors)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(Encoding.ASCII.GetBytes("RCWP"));
        writer.Write(1u);
        writer.Write((uint)tensors.Count);
        foreach (var (name, dims, values) in tensors)
        {
            var bytes = Encoding.UTF8.GetBytes(name);
            writer.Write((ushort)bytes.Length);
            writer.Write(bytes);
            writer.Write((byte)dims.Length);
            foreach (var dim in dims)
            {
                writer.Write(dim);
            }

            foreach (var value in values)
            {
                writer.Write(BitConverter.HalfToUInt16Bits((Half)value));
            }
        }
    }
}
