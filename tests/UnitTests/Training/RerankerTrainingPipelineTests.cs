using System.Text.Json;
using RerankCluster.Inference;
using RerankCluster.Inference.Models;
using RerankCluster.Training;
using RerankCluster.Training.DebianPackages;
using RerankCluster.Training.Trainer;

namespace RerankCluster.UnitTests.Training;

/// <summary>
/// The whole training pipeline, small: real Debian descriptions, hard negatives from the real
/// bi-encoder, the Python trainer on Debian's torch, the export loaded by the C# cross-encoder.
/// Needs /usr/bin/python3 with python3-torch and python3-onnx (.ci/run installs them).
/// </summary>
[Collection(ModelCollection.Name)]
public sealed class RerankerTrainingPipelineTests(ModelFixture models)
{
    private const string PlantedQuery = "zebra striped quantum teapot controller";
    private const string PlantedPositive = "Controls zebra striped quantum teapots: the teapot controller brews tea in a quantum superposition of zebra stripes.";

    [Fact]
    public async Task A_tiny_run_maps_the_weights_lowers_the_loss_exports_and_ranks_a_planted_positive_first()
    {
        var root = Directory.CreateTempSubdirectory("train-reranker").FullName;
        var sample = Path.Combine(AppContext.BaseDirectory, "Training", "debian-sample");
        var packages = DebianPackageIndex.Load([new StreamReader(Path.Combine(sample, "Packages")), new StreamReader(Path.Combine(sample, "Translation-en"))]);
        var data = Path.Combine(root, "pairs.jsonl");
        var lines = packages.Take(200).Select(p => JsonSerializer.Serialize(new { query = p.Summary, positive = p.LongDescription })).ToList();
        // The planted pair is seen often enough that a few dozen steps must learn it.
        lines.AddRange(Enumerable.Repeat(JsonSerializer.Serialize(new { query = PlantedQuery, positive = PlantedPositive }), 8));
        await File.WriteAllLinesAsync(data, lines);
        var output = Path.Combine(root, "model");
        var pack = Path.Combine(root, "pack", TrainedCrossEncoder.PackFile);
        Directory.CreateDirectory(Path.GetDirectoryName(pack)!);
        var logLines = new List<string>();

        var result = await new RerankerTrainingPipeline(ShippedMiniLm.Ensure(models.CacheDirectory), models.Sessions, new PythonTrainer())
            .RunAsync(new RerankerTrainingPipeline.Settings([data], output, Steps: 40, GroupsPerStep: 4, Negatives: 3, NegativeDepth: 10, MaxLength: 64,
                LearningRate: 1e-4, CheckpointEvery: 20, LogEvery: 5, WeightPack: pack), logLines.Add, null, CancellationToken.None);

        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, TrainedModelLayout.SummaryFile)));
        Assert.InRange(summary.RootElement.GetProperty("mapping_parity").GetProperty("hidden_max_abs_diff").GetDouble(), 0, 1e-4);
        var losses = summary.RootElement.GetProperty("loss_history").EnumerateArray().Select(h => h.GetProperty("loss").GetDouble()).ToList();
        Assert.Equal(8, losses.Count);
        Assert.True(losses.TakeLast(2).Average() < losses.Take(2).Average(), $"loss did not go down: {string.Join(", ", losses)}");
        Assert.True(result.Parity is { Passed: true }, $"export parity {result.Parity?.MaxAbsoluteDifference}");
        Assert.Contains(logLines, l => l.Contains("ETA", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(output, "checkpoints", "last.pt")));

        var negatives = File.ReadLines(Path.Combine(output, "training", "mined.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .First(g => g.GetProperty("query").GetString() == PlantedQuery)
            .GetProperty("negatives").EnumerateArray().Select(n => n.GetString()!).ToList();
        using var exported = new CrossEncoder(ModelFiles.Open(output), models.Sessions);
        var scores = exported.Score(PlantedQuery, negatives.Prepend(PlantedPositive).ToList());
        Assert.True(scores.Skip(1).All(s => s < scores[0]), $"planted positive {scores[0]} vs negatives {string.Join(", ", scores.Skip(1))}");

        using var packed = new CrossEncoder(TrainedCrossEncoder.Ensure(Path.Combine(root, "cache"), Path.GetDirectoryName(pack)!, "test/tiny"), models.Sessions);
        var packedScores = packed.Score(PlantedQuery, negatives.Prepend(PlantedPositive).ToList());
        Assert.All(packedScores.Zip(scores), s => Assert.Equal(s.Second, s.First, 0.05));
    }
}
