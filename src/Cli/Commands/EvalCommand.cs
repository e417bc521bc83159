using System.CommandLine;
using System.Text.Json;
using RerankCluster.Cli.Client;
using RerankCluster.Cli.Hosting;
using RerankCluster.Cli.Terminal;
using RerankCluster.Evaluation;
using RerankCluster.Gateway.Contracts;

namespace RerankCluster.Cli.Commands;

/// <summary>
/// `rerank eval`: ingests a BEIR corpus into a fresh index through the HTTP API, runs every query,
/// and writes stage1.trec, stage2.trec and metrics.json.
/// </summary>
public static class EvalCommand
{
    public const int Stage1Depth = 100;

    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for stage1.trec, stage2.trec and metrics.json.", Required = true };
        var candidates = CommonOptions.Candidates();
        var topK = CommonOptions.TopK();
        var limit = new Option<int?>("--limit-queries") { Description = "Evaluate only the first N queries." };
        var split = new Option<string>("--split") { Description = "Qrels split (qrels/<split>.tsv).", DefaultValueFactory = _ => "test" };
        var url = new Option<Uri?>("--url") { Description = "Evaluate a running cluster instead of an embedded one.", CustomParser = CommonOptions.ParseUri };
        var key = CommonOptions.Key();
        var batchSize = new Option<int>("--batch-size") { Description = "Documents per upsert request.", DefaultValueFactory = _ => 64 };
        var command = new Command("eval", "Evaluate both stages on a BEIR dataset.")
        {
            dataset, output, candidates, topK, limit, split, url, key, batchSize,
        };
        command.SetAction(async (parse, ct) =>
        {
            var settings = new Settings(parse.GetValue(dataset)!, parse.GetValue(output)!, parse.GetValue(candidates), parse.GetValue(topK),
                parse.GetValue(limit), parse.GetValue(split)!, parse.GetValue(batchSize));
            if (parse.GetValue(url) is { } remote)
            {
                using var http = CommonOptions.Http(remote, parse.GetValue(key));
                await RunAsync(new RerankHttpClient(http), settings, Console.Out, ct);
            }
            else
            {
                await using var cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true, cancellationToken: ct);
                using var http = new HttpClient { BaseAddress = cluster.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
                await RunAsync(new RerankHttpClient(http), settings, Console.Out, ct);
            }

            return 0;
        });
        return command;
    }

    public sealed record Settings(string Dataset, string Output, int Candidates, int TopK, int? LimitQueries, string Split, int BatchSize);

    public static async Task<JsonDocument> RunAsync(RerankHttpClient client, Settings settings, TextWriter console, CancellationToken ct)
    {
        if (settings.TopK < 1 || settings.TopK > settings.Candidates)
        {
            throw new ArgumentException($"--top-k must be between 1 and --candidates ({settings.Candidates}).");
        }

        var data = BeirDataset.Load(settings.Dataset, settings.Split);
        var queries = data.Queries.Take(settings.LimitQueries ?? int.MaxValue).ToList();
        Directory.CreateDirectory(settings.Output);
        var index = "eval-" + new string(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.Dataset)))
            .ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').Take(40).ToArray());
        if (await client.GetIndexAsync(index, ct) is not null)
        {
            await client.DeleteIndexAsync(index, ct);
        }

        var ingest = await CorpusUpload.RunAsync(client, index, data.CorpusPath, settings.BatchSize, null, ct);

        var stage1 = new Dictionary<string, IReadOnlyList<(string DocumentId, double Score)>>();
        var stage2 = new Dictionary<string, IReadOnlyList<(string DocumentId, double Score)>>();
        var timings = new Dictionary<string, List<double>>
        {
            ["embed_ms"] = [], ["stage1_ms"] = [], ["rerank_ms"] = [], ["inference_ms"] = [], ["server_total_ms"] = [],
        };
        string? crossEncoder = null;
        var relevance = true;
        var progress = new ProgressBar("queries", queries.Count, "queries");
        foreach (var query in queries)
        {
            var response = await client.SearchAsync(index,
                new SearchBody(query.Text, settings.Candidates, settings.Candidates, false, Stage1Depth), ct);
            crossEncoder = response.Model.CrossEncoder;
            relevance = response.Model.ScoresAreRelevance;
            stage1[query.Id] = TrecRun.CollapseToDocuments((response.Stage1 ?? []).Select(h => (h.Id, (double)h.Score)));
            stage2[query.Id] = TrecRun.CollapseToDocuments(response.Results.Select(h => (h.Id, (double)h.Score)));
            timings["embed_ms"].Add(response.Timings.EmbedMs);
            timings["stage1_ms"].Add(response.Timings.Stage1Ms);
            timings["rerank_ms"].Add(response.Timings.RerankMs);
            timings["inference_ms"].Add(response.Timings.InferenceMs);
            timings["server_total_ms"].Add(response.Timings.TotalMs);
            progress.Advance(1);
        }

        progress.Complete();
        TrecRun.Write(Path.Combine(settings.Output, "stage1.trec"), stage1.Select(q => (q.Key, q.Value)), "rerankcluster-stage1");
        TrecRun.Write(Path.Combine(settings.Output, "stage2.trec"), stage2.Select(q => (q.Key, q.Value)), "rerankcluster-stage2");

        var stage1Metrics = RankingMetrics.Summarise(Ids(stage1), data.Qrels);
        var stage2Metrics = RankingMetrics.Summarise(Ids(stage2), data.Qrels);
        var topKSuccess = $"success@{settings.TopK}";
        stage1Metrics[topKSuccess] = Mean(stage1, data.Qrels, settings.TopK);
        stage2Metrics[topKSuccess] = Mean(stage2, data.Qrels, settings.TopK);
        var metrics = new Dictionary<string, object?>
        {
            ["dataset"] = Path.GetFullPath(settings.Dataset),
            ["queries"] = queries.Count,
            ["documents"] = ingest.Documents,
            ["chunks"] = ingest.Chunks,
            ["candidates"] = settings.Candidates,
            ["top_k"] = settings.TopK,
            ["stage1_depth"] = Stage1Depth,
            ["cross_encoder"] = crossEncoder,
            ["scores_are_relevance"] = relevance,
            ["warning"] = relevance ? null : Gateway.Endpoints.ResponseMapping.NotRelevanceWarning,
            ["stage1"] = stage1Metrics,
            ["stage2"] = stage2Metrics,
            ["timings"] = new Dictionary<string, object>
            {
                ["ingest_seconds"] = Math.Round(ingest.Elapsed.TotalSeconds, 3),
                ["ingest_documents_per_second"] = Math.Round(ingest.Documents / Math.Max(0.001, ingest.Elapsed.TotalSeconds), 2),
                ["per_query"] = timings.ToDictionary(t => t.Key, t => (object)LatencySummary.Of(t.Value)),
            },
        };
        var json = JsonSerializer.Serialize(metrics, new JsonSerializerOptions(RerankHttpClient.Json) { WriteIndented = true });
        await File.WriteAllTextAsync(Path.Combine(settings.Output, "metrics.json"), json, ct);

        PrintSummary(console, queries.Count, stage1Metrics, stage2Metrics, relevance, settings.Output);
        return JsonDocument.Parse(json);
    }

    private static Dictionary<string, IReadOnlyList<string>> Ids(Dictionary<string, IReadOnlyList<(string DocumentId, double Score)>> run) =>
        run.ToDictionary(q => q.Key, q => (IReadOnlyList<string>)q.Value.Select(d => d.DocumentId).ToList());

    private static double Mean(Dictionary<string, IReadOnlyList<(string DocumentId, double Score)>> run, Qrels qrels, int k) =>
        run.Count == 0 ? 0 : Math.Round(run.Average(q => RankingMetrics.SuccessAt(q.Value.Select(d => d.DocumentId).ToList(), qrels.For(q.Key), k)), 6);

    private static void PrintSummary(TextWriter console, int queries, IDictionary<string, double> stage1, IDictionary<string, double> stage2,
        bool relevance, string output)
    {
        console.WriteLine($"{queries} queries; metrics in {Path.Combine(output, "metrics.json")}");
        if (!relevance)
        {
            console.WriteLine($"! {Gateway.Endpoints.ResponseMapping.NotRelevanceWarning}");
        }

        console.WriteLine($"{"metric",-12} {"stage 1",9} {"stage 2",9}");
        foreach (var name in stage1.Keys)
        {
            console.WriteLine($"{name,-12} {stage1[name],9:F4} {stage2[name],9:F4}");
        }
    }
}
