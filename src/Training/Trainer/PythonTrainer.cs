using System.Diagnostics;

namespace RerankCluster.Training.Trainer;

/// <summary>
/// Runs tools/reranker-trainer/train_reranker.py with Debian's interpreter (whose python3-torch and
/// python3-onnx the trainer needs), passing its progress lines through as they come.
/// </summary>
public sealed class PythonTrainer
{
    public const string DefaultInterpreter = "/usr/bin/python3";
    public const string InstallHint = "apt-get install -y python3-torch python3-onnx libopenblas0-pthread";

    public sealed record Arguments(
        string InitialEncoder, string GroupsDirectory, string Output, string? Probe, string? WeightPack, string? InitialPack,
        int Steps, int GroupsPerStep, double LearningRate, double Warmup, int MaxLength, int Seed, int CheckpointEvery, int LogEvery, bool Resume, int? Threads);

    private readonly string _interpreter;
    private readonly string _script;

    public PythonTrainer(string? interpreter = null, string? script = null)
    {
        _interpreter = interpreter ?? DefaultInterpreter;
        _script = script ?? Path.Combine(AppContext.BaseDirectory, "tools", "reranker-trainer", "train_reranker.py");
    }

    public async Task RunAsync(Arguments arguments, Action<string> output, CancellationToken ct)
    {
        if (!File.Exists(_interpreter))
        {
            throw new InvalidOperationException($"The trainer needs Debian's Python at {_interpreter} with its torch: {InstallHint}.");
        }

        if (!File.Exists(_script))
        {
            throw new FileNotFoundException($"The trainer script is missing: {_script}.", _script);
        }

        var start = new ProcessStartInfo(_interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["PYTHONUNBUFFERED"] = "1";
        foreach (var argument in CommandLine(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {_interpreter}.");
        var errors = new List<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output(e.Data); };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (errors)
            {
                errors.Add(e.Data);
            }

            output(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // A cancelled run leaves its last checkpoint; --resume picks it up.
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            string last;
            lock (errors)
            {
                last = errors.LastOrDefault(e => e.StartsWith("train_reranker:", StringComparison.Ordinal)) ?? errors.LastOrDefault() ?? "no message";
            }

            throw new InvalidOperationException($"The trainer failed (exit {process.ExitCode}): {last}");
        }
    }

    private IEnumerable<string> CommandLine(Arguments a)
    {
        string F(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        yield return _script;
        yield return "--init"; yield return a.InitialEncoder;
        yield return "--groups"; yield return a.GroupsDirectory;
        yield return "--out"; yield return a.Output;
        yield return "--steps"; yield return a.Steps.ToString();
        yield return "--groups-per-step"; yield return a.GroupsPerStep.ToString();
        yield return "--learning-rate"; yield return F(a.LearningRate);
        yield return "--warmup"; yield return F(a.Warmup);
        yield return "--max-length"; yield return a.MaxLength.ToString();
        yield return "--seed"; yield return a.Seed.ToString();
        yield return "--checkpoint-every"; yield return a.CheckpointEvery.ToString();
        yield return "--log-every"; yield return a.LogEvery.ToString();
        if (a.Probe is not null)
        {
            yield return "--probe"; yield return a.Probe;
        }

        if (a.WeightPack is not null)
        {
            yield return "--pack"; yield return a.WeightPack;
        }

        if (a.InitialPack is not null)
        {
            yield return "--init-pack"; yield return a.InitialPack;
        }

        if (a.Threads is { } threads)
        {
            yield return "--threads"; yield return threads.ToString();
        }

        if (a.Resume)
        {
            yield return "--resume";
        }
    }
}
