using System.CommandLine;
using System.Text.Json;
using RerankCluster.Cli.Corpus;
using RerankCluster.Client;
using RerankCluster.Cli.Load;

namespace RerankCluster.Cli.Commands;

/// <summary>`rerank load`: drive a running gateway with searches and reranks, measure, plot, and find where it saturates.</summary>
public static class LoadCommand
{
    public static Command Create()
    {
        var url = CommonOptions.Url();
        var key = CommonOptions.Key();
        var index = CommonOptions.Index();
        var queries = new Option<string>("--queries") { Description = "Queries: a text file (one per line), a JSONL file, or a BEIR folder.", Required = true };
        var corpus = new Option<string?>("--corpus") { Description = "Passages for rerank requests: a JSONL corpus or a BEIR folder." };
        var rerankFraction = new Option<double>("--rerank-fraction") { Description = "Share of requests that are stateless reranks.", DefaultValueFactory = _ => 0.2 };
        var rerankDocuments = new Option<int>("--rerank-documents") { Description = "Documents per rerank request.", DefaultValueFactory = _ => 20 };
        var rate = new Option<double?>("--rate") { Description = "Open loop: requests per second, whatever the latency." };
        var clients = new Option<int?>("--clients") { Description = "Closed loop: clients that each wait for their answer." };
        var duration = new Option<double>("--duration") { Description = "Seconds to run (each step, when saturating).", DefaultValueFactory = _ => 30 };
        var requests = new Option<int>("--requests") { Description = "Most requests to send (each step).", DefaultValueFactory = _ => 100_000 };
        var saturate = new Option<bool>("--saturate") { Description = "Step the open-loop rate up until p99 exceeds --p99-bound." };
        var p99Bound = new Option<double>("--p99-bound") { Description = "p99 latency bound in ms for --saturate.", DefaultValueFactory = _ => 2000 };
        var rateStep = new Option<double>("--rate-step") { Description = "Rate increment per --saturate step.", DefaultValueFactory = _ => 0.5 };
        var maxRate = new Option<double>("--max-rate") { Description = "Highest rate --saturate tries.", DefaultValueFactory = _ => 100 };
        var output = new Option<string>("--out") { Description = "Folder for summary.json and latency.svg.", DefaultValueFactory = _ => "out/load" };
        var command = new Command("load", "Load-test a running gateway (open or closed loop), or find its saturation point.")
        {
            url, key, index, queries, corpus, rerankFraction, rerankDocuments, rate, clients, duration, requests, saturate, p99Bound, rateStep,
            maxRate, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            var passages = parse.GetValue(corpus) is { } corpusPath ? DocumentSource.Read(corpusPath).Select(d => d.Text!).ToList() : [];
            var mix = LoadRequest.Mix(LoadRequest.ReadQueries(parse.GetValue(queries)!), passages, parse.GetValue(index)!,
                parse.GetValue(rerankFraction), parse.GetValue(rerankDocuments));
            using var http = CommonOptions.Http(parse.GetValue(url)!, null, TimeSpan.FromMinutes(2));
            (await http.GetAsync("readyz", ct)).EnsureSuccessStatusCode();
            var runner = new LoadRunner(http, parse.GetValue(key) ?? Environment.GetEnvironmentVariable("RERANK_API_KEY"), mix, Console.Error);
            var folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            var seconds = TimeSpan.FromSeconds(parse.GetValue(duration));
            var limit = parse.GetValue(requests);

            if (parse.GetValue(saturate))
            {
                await Saturate(runner, parse.GetValue(rateStep), parse.GetValue(maxRate), parse.GetValue(p99Bound), seconds, limit, folder, ct);
                return 0;
            }

            var closed = parse.GetValue(clients);
            var result = closed is { } n
                ? await runner.ClosedLoop(n, seconds, limit, ct)
                : await runner.OpenLoop(parse.GetValue(rate) ?? 1, seconds, limit, ct);
            var summary = LoadSummary.Of(result, closed is null ? "open loop" : "closed loop", closed ?? 0);
            summary.Print(Console.Out);
            await Write(folder, "summary.json", summary, ct);
            await File.WriteAllTextAsync(Path.Combine(folder, "latency.svg"),
                LatencyPlot.Render(result.Samples, $"{summary.Mode}: {summary.AchievedQps:F2} req/s, p99 {summary.Latency.P99:F0} ms"), ct);
            Console.WriteLine($"wrote {Path.Combine(folder, "summary.json")} and {Path.Combine(folder, "latency.svg")}");
            return summary.Errors == 0 ? 0 : 3;
        });
        return command;
    }

    private static async Task Saturate(LoadRunner runner, double step, double maxRate, double p99Bound, TimeSpan duration, int limit,
        string folder, CancellationToken ct)
    {
        var steps = new List<LoadSummary>();
        double? sustained = null;
        for (var rate = step; rate <= maxRate + 1e-9; rate += step)
        {
            Console.WriteLine($"step: {rate:F2} req/s for {duration.TotalSeconds:F0} s");
            var result = await runner.OpenLoop(rate, duration, limit, ct);
            var summary = LoadSummary.Of(result, $"open loop at {rate:F2}/s", 0);
            summary.Print(Console.Out);
            steps.Add(summary);
            await File.WriteAllTextAsync(Path.Combine(folder, $"latency-{rate:F2}.svg"),
                LatencyPlot.Render(result.Samples, $"offered {rate:F2}/s: achieved {summary.AchievedQps:F2}/s, p99 {summary.Latency.P99:F0} ms"), ct);
            if (summary.Latency.P99 > p99Bound || summary.Errors > 0 || summary.Dropped > 0)
            {
                break;
            }

            sustained = rate;
        }

        Console.WriteLine(sustained is { } best
            ? $"saturation: the highest offered rate with p99 under {p99Bound:F0} ms and no errors is {best:F2} req/s"
            : $"saturation: even {step:F2} req/s exceeds p99 {p99Bound:F0} ms");
        await Write(folder, "saturation.json", new { p99_bound_ms = p99Bound, highest_sustained_rate = sustained, steps }, ct);
    }

    private static Task Write(string folder, string file, object value, CancellationToken ct) =>
        File.WriteAllTextAsync(Path.Combine(folder, file),
            JsonSerializer.Serialize(value, new JsonSerializerOptions(RerankJson.Options) { WriteIndented = true }), ct);
}
