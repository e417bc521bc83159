using RerankCluster.Inference;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;
using RerankCluster.Inference.Tokenization;
using RerankCluster.Training.Data;
using RerankCluster.Training.Trainer;

namespace RerankCluster.Training;

/// <summary>
/// Data to a loadable cross-encoder: (query, positive) pairs → hard negatives from stage 1 → tokenised
/// groups → the weight-mapping probe → the Python trainer → an HF-layout model directory whose export
/// the project's own <see cref="CrossEncoder"/> has been checked against.
/// </summary>
public sealed class RerankerTrainingPipeline
{
    public sealed record Settings(
        IReadOnlyList<string> Data,
        string Output,
        string Split = "train",
        int Steps = 1000,
        int GroupsPerStep = 4,
        int Negatives = 7,
        int NegativeDepth = 30,
        int RandomNegatives = 0,
        int LongNegatives = 0,
        int MaxLength = 256,
        double LearningRate = 3e-5,
        double Warmup = 0.1,
        int Seed = 13,
        int? MaxQueries = null,
        int? MaxPassages = null,
        int CheckpointEvery = 100,
        int LogEvery = 10,
        bool Resume = false,
        string? WeightPack = null,
        string? InitialPack = null,
        int? Threads = null,
        bool MineOnly = false);

    /// <param name="Parity">Null when <see cref="Settings.MineOnly"/> stopped before training.</param>
    public sealed record Result(string ModelDirectory, int Pairs, int Groups, ExportParity.Result? Parity);

    private readonly ModelFiles _encoder;
    private readonly OnnxSessionFactory _sessions;
    private readonly PythonTrainer _trainer;

    public RerankerTrainingPipeline(ModelFiles encoder, OnnxSessionFactory sessions, PythonTrainer trainer)
    {
        _encoder = encoder;
        _sessions = sessions;
        _trainer = trainer;
    }

    public async Task<Result> RunAsync(Settings settings, Action<string> log, IProgress<(string Stage, int Done, int Total)>? progress, CancellationToken ct)
    {
        Validate(settings);
        var work = Path.Combine(settings.Output, "training");
        Directory.CreateDirectory(work);
        // Each source is sampled on its own, so a large one cannot crowd the others out.
        var data = TrainingPairs.Combine(settings.Data
            .Select(path => TrainingPairs.Load(path, settings.Split).Sample(settings.MaxQueries, settings.MaxPassages, settings.Seed))
            .ToList());
        var pairs = data.Pairs;
        log($"training on {pairs.Count} (query, positive) pairs from {settings.Data.Count} source(s), {data.Passages.Count} passages to draw negatives from");

        var groupsFile = Path.Combine(work, TrainingGroupsFile.Groups);
        int groups;
        if (settings.Resume && File.Exists(groupsFile) && File.Exists(Path.Combine(work, TrainingGroupsFile.Meta)))
        {
            groups = File.ReadLines(groupsFile).Count(l => l.Length > 0);
            log($"resuming: reusing {groups} mined groups in {work}");
        }
        else
        {
            using var biEncoder = new BiEncoder(_encoder, _sessions, settings.MaxLength);
            var mined = new HardNegativeMiner(biEncoder, new HardNegativeMiner.Settings(settings.Negatives, settings.NegativeDepth, Seed: settings.Seed,
                    RandomNegatives: settings.RandomNegatives, LongNegatives: settings.LongNegatives))
                .Mine(pairs, data.Passages, progress);
            if (mined.Count == 0)
            {
                throw new InvalidDataException($"No query had {settings.Negatives} usable negatives in its top {settings.NegativeDepth}: the passage pool is too small.");
            }

            // The trainer (tools/reranker-trainer) is a BERT: it reads WordPiece ids with [CLS]/[SEP] and token types.
            var wordPiece = biEncoder.Tokenizer as BertTextTokenizer
                ?? throw new NotSupportedException($"The reranker trainer starts from a BERT-family (WordPiece) encoder; '{_encoder.Name}' is not one.");
            TrainingGroupsFile.Write(work, mined, wordPiece, settings.MaxLength);
            EncoderParityProbe.Write(_encoder, _sessions,
                mined.Take(4).SelectMany(g => new[] { (g.Pair.Query, g.Pair.Positive), (g.Pair.Query, g.Negatives[0]) }).ToList(),
                settings.MaxLength, Path.Combine(work, EncoderParityProbe.FileName));
            groups = mined.Count;
            log($"mined {groups} groups of 1 positive + {settings.Negatives} hard, {settings.RandomNegatives} random and {settings.LongNegatives} long negatives");
        }

        if (settings.MineOnly)
        {
            log($"mined only: train elsewhere with `python3 train_reranker.py --groups {work} --init <encoder: ONNX, or the .pt from --save-init> --out <dir> --pack <file>` " +
                $"(tools/reranker-trainer; {TrainingGroupsFile.Groups} and {TrainingGroupsFile.Passages} may travel compressed as .xz or .gz)");
            return new Result(settings.Output, pairs.Count, groups, null);
        }

        await _trainer.RunAsync(new PythonTrainer.Arguments(
            _encoder.OnnxPath, work, settings.Output, Path.Combine(work, EncoderParityProbe.FileName), settings.WeightPack, settings.InitialPack,
            settings.Steps, settings.GroupsPerStep, settings.LearningRate, settings.Warmup, settings.MaxLength, settings.Seed,
            settings.CheckpointEvery, settings.LogEvery, settings.Resume, settings.Threads), log, ct);

        var (rows, mismatches) = TrainerInputParity.Check(Path.Combine(settings.Output, ExportParity.FileName), Path.Combine(work, TrainingGroupsFile.Mined),
            _encoder.CreateTokenizer(), settings.MaxLength);
        if (mismatches > 0)
        {
            throw new InvalidDataException($"The trainer paired {mismatches} of {rows} probe rows differently from the C# tokenizer: it trained on ids inference never builds.");
        }

        TrainedModelLayout.WriteCompanionFiles(_encoder, settings.Output);
        using var exported = new CrossEncoder(ModelFiles.Open(settings.Output), _sessions, settings.MaxLength);
        var parity = ExportParity.Check(exported, Path.Combine(settings.Output, ExportParity.FileName));
        log($"export parity: the C# cross-encoder gives torch's logits within {parity.MaxAbsoluteDifference:0.###e+0} over {parity.Rows} pairs (tolerance {ExportParity.Tolerance:g})");
        if (!parity.Passed)
        {
            throw new InvalidDataException($"The exported model's logits differ from torch's by {parity.MaxAbsoluteDifference:g} (> {ExportParity.Tolerance:g}).");
        }

        return new Result(settings.Output, pairs.Count, groups, parity);
    }

    private static void Validate(Settings s)
    {
        var problems = new List<string>();
        if (s.Steps < 1) problems.Add("--steps must be at least 1");
        if (s.GroupsPerStep < 1) problems.Add("--groups-per-step must be at least 1");
        if (s.Negatives < 1) problems.Add("--negatives must be at least 1");
        if (s.NegativeDepth < s.Negatives) problems.Add("--negative-depth must be at least --negatives");
        if (s.MaxLength is < 16 or > 512) problems.Add("--max-length must be between 16 and 512");
        if (s.LearningRate is <= 0 or > 1 || double.IsNaN(s.LearningRate)) problems.Add("--learning-rate must be in (0, 1]");
        if (s.Warmup is < 0 or >= 1 || double.IsNaN(s.Warmup)) problems.Add("--warmup must be in [0, 1)");
        if (s.MaxQueries is < 1) problems.Add("--max-queries must be at least 1");
        if (s.MaxPassages is < 2) problems.Add("--max-passages must be at least 2");
        if (s.RandomNegatives < 0 || s.LongNegatives < 0) problems.Add("--random-negatives and --long-negatives must be at least 0");
        if (s.Data.Count == 0) problems.Add("--data needs at least one dataset");
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems) + ".");
        }
    }
}
