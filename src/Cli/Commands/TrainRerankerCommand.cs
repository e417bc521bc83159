using System.CommandLine;
using System.Text.Json;
using RerankCluster.Cli.Corpus;
using RerankCluster.Client;
using RerankCluster.Cli.Hosting;
using RerankCluster.Cli.Terminal;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;
using RerankCluster.Training;
using RerankCluster.Training.Trainer;

namespace RerankCluster.Cli.Commands;

/// <summary>
/// `rerank train-reranker`: mines hard negatives, trains a MiniLM cross-encoder with the Python trainer,
/// checks the export, evaluates stage 1 vs stage 2 on the held-out split and writes the model card.
/// </summary>
public static class TrainRerankerCommand
{
    public static Command Create()
    {
        var data = new Option<string[]>("--data")
        {
            Description = "BEIR folders (pairs from qrels/<split>.tsv) or JSONL files of {\"query\", \"positive\"} lines; several are trained on together.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--out") { Description = "Model folder to write (Hugging Face layout).", Required = true };
        var split = new Option<string>("--split") { Description = "Qrels split to train on.", DefaultValueFactory = _ => "train" };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 1000 };
        var groupsPerStep = new Option<int>("--groups-per-step") { Description = "Queries per optimiser step.", DefaultValueFactory = _ => 4 };
        var negatives = new Option<int>("--negatives") { Description = "Hard negatives per query.", DefaultValueFactory = _ => 7 };
        var depth = new Option<int>("--negative-depth") { Description = "Stage-1 hits negatives are drawn from.", DefaultValueFactory = _ => 30 };
        var randomNegatives = new Option<int>("--random-negatives") { Description = "Random passages of the pool per query, besides the hard ones.", DefaultValueFactory = _ => 0 };
        var longNegatives = new Option<int>("--long-negatives") { Description = "Long texts that do not answer, per query (pool passages run together; one repeated sentence).", DefaultValueFactory = _ => 0 };
        var maxPassages = new Option<int?>("--max-passages") { Description = "Cap each source's negative pool at a seeded sample of N passages (positives kept)." };
        var initPack = new Option<string?>("--init-pack") { Description = "Continue training from this weight pack (e.g. the shipped reranker's) instead of a fresh head." };
        var maxLength = new Option<int>("--max-length") { DefaultValueFactory = _ => 256 };
        var learningRate = new Option<double>("--learning-rate") { DefaultValueFactory = _ => 3e-5 };
        var warmup = new Option<double>("--warmup") { Description = "Fraction of steps spent warming up.", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 13 };
        var maxQueries = new Option<int?>("--max-queries") { Description = "Train on a seeded sample of N pairs of each source." };
        var resume = new Option<bool>("--resume") { Description = "Reuse mined groups and continue from the last checkpoint." };
        var evalQueries = new Option<int>("--eval-queries") { Description = "Held-out queries to evaluate (qrels/test.tsv of a BEIR --data); 0 skips.", DefaultValueFactory = _ => 500 };
        var pack = new Option<string?>("--pack") { Description = "Also write the trained weights as an fp16 pack (what the repository ships)." };
        var python = new Option<string>("--python") { Description = "Debian's interpreter with python3-torch.", DefaultValueFactory = _ => PythonTrainer.DefaultInterpreter };
        var threads = new Option<int?>("--threads") { Description = "Torch threads (default: all cores)." };
        var logEvery = new Option<int>("--log-every") { Description = "Steps between progress lines.", DefaultValueFactory = _ => 10 };
        var mineOnly = new Option<bool>("--mine-only") { Description = "Stop after mining the groups (to train on another machine, e.g. a GPU one)." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints.", DefaultValueFactory = _ => 100 };
        var command = new Command("train-reranker", "Train a cross-encoder from (query, positive) pairs, starting from the shipped MiniLM.")
        {
            data, output, split, steps, groupsPerStep, negatives, depth, randomNegatives, longNegatives, maxPassages, initPack, maxLength, learningRate, warmup, seed, maxQueries, resume, evalQueries, pack, python, threads, logEvery, checkpointEvery, mineOnly,
        };
        command.SetAction(async (parse, ct) =>
        {
            var settings = new RerankerTrainingPipeline.Settings(
                parse.GetValue(data)!, Path.GetFullPath(parse.GetValue(output)!), parse.GetValue(split)!, parse.GetValue(steps), parse.GetValue(groupsPerStep),
                parse.GetValue(negatives), parse.GetValue(depth), parse.GetValue(randomNegatives), parse.GetValue(longNegatives), parse.GetValue(maxLength),
                parse.GetValue(learningRate), parse.GetValue(warmup), parse.GetValue(seed), parse.GetValue(maxQueries), parse.GetValue(maxPassages),
                parse.GetValue(checkpointEvery), parse.GetValue(logEvery), parse.GetValue(resume), parse.GetValue(pack), parse.GetValue(initPack), parse.GetValue(threads),
                parse.GetValue(mineOnly));
            var cache = new ModelStoreOptions().ResolveCacheDirectory();
            var pipeline = new RerankerTrainingPipeline(ShippedMiniLm.Ensure(cache), new OnnxSessionFactory(new OnnxRuntimeOptions()),
                new PythonTrainer(parse.GetValue(python)));
            var result = await pipeline.RunAsync(settings, Console.WriteLine, new StageProgress(), ct);
            if (result.Parity is not { } parity)
            {
                return 0;
            }

            var evaluations = new List<(string, JsonElement)>();
            foreach (var source in settings.Data.Where(d => File.Exists(Path.Combine(d, "qrels", "test.tsv"))))
            {
                if (parse.GetValue(evalQueries) > 0)
                {
                    evaluations.Add((Path.GetFileName(Path.TrimEndingDirectorySeparator(source)), await EvaluateAsync(settings, source, parse.GetValue(evalQueries), ct)));
                }
            }

            TrainedModelLayout.WriteModelCard(result.ModelDirectory, Path.GetFileName(result.ModelDirectory),
                $"{result.Pairs} (query, positive) pairs from {string.Join(", ", settings.Data.Select(d => $"`{Path.GetFileName(Path.TrimEndingDirectorySeparator(d))}`"))} " +
                $"(split `{settings.Split}`); per query {settings.Negatives} hard negatives mined with stage 1 from its source's passages (held-out documents left out), " +
                $"{settings.RandomNegatives} random passages and {settings.LongNegatives} long texts that do not answer.", parity.MaxAbsoluteDifference, evaluations);
            Console.WriteLine($"model: {result.ModelDirectory} (card: README.md); serve it with CrossEncoder__Model={result.ModelDirectory}");
            return 0;
        });
        return command;
    }

    private static async Task<JsonElement> EvaluateAsync(RerankerTrainingPipeline.Settings settings, string dataset, int queries, CancellationToken ct)
    {
        var modelSettings = new Dictionary<string, string?>
        {
            ["CrossEncoder:Model"] = settings.Output,
            ["CrossEncoder:MaxLength"] = settings.MaxLength.ToString(),
        };
        await using var cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true, settings: modelSettings, cancellationToken: ct);
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        var evaluation = new EvalCommand.Settings(dataset, Path.Combine(settings.Output, "eval", Path.GetFileName(Path.TrimEndingDirectorySeparator(dataset))), 50, 5, queries, "test", 64);
        using var metrics = await EvalCommand.RunAsync(new RerankClient(http), evaluation, Console.Out, ct);
        return metrics.RootElement.Clone();
    }

    /// <summary>One progress bar per stage of data preparation.</summary>
    private sealed class StageProgress : IProgress<(string Stage, int Done, int Total)>
    {
        private string? _stage;
        private ProgressBar? _bar;
        private int _done;

        public void Report((string Stage, int Done, int Total) value)
        {
            if (value.Stage != _stage)
            {
                _bar?.Complete();
                _stage = value.Stage;
                _bar = new ProgressBar(value.Stage, value.Total, "items");
                _done = 0;
            }

            _bar!.Advance(value.Done - _done);
            _done = value.Done;
            if (value.Done >= value.Total)
            {
                _bar.Complete();
                _stage = null;
            }
        }
    }
}
