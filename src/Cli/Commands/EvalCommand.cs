using System.CommandLine;
using System.Text.Json;
using RerankCluster.Cli.Corpus;
using RerankCluster.Client;
using RerankCluster.Cli.Hosting;
using RerankCluster.Cli.Reports;
using RerankCluster.Cli.Terminal;
using RerankCluster.Evaluation;
using RerankCluster.Client.Contracts;
using RerankCluster.Retrieval;

namespace RerankCluster.Cli.Commands;

/// <summary>
/// `rerank eval`: ingests a BEIR corpus into a fresh index through the HTTP API, runs every query,
/// and writes stage1.trec, stage2.trec, metrics.json and report.html.
/// </summary>
public static class EvalCommand
{
    public const int Stage1Depth = 100;

    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for stage1.trec, stage2.trec, metrics.json and report.html.", Required = true };
        var candidates = CommonOptions.Candidates();
        var topK = CommonOptions.TopK();
        var limit = new Option<int?>("--limit-queries") { Description = "Evaluate only the first N queries." };
        var split = new Option<string>("--split") { Description = "Qrels split (qrels/<split>.tsv).", DefaultValueFactory = _ => "test" };
        var url = new Option<Uri?>("--url") { Description = "Evaluate a running cluster instead of an embedded one.", CustomParser = CommonOptions.ParseUri };
        var key = CommonOptions.Key();
        var batchSize = new Option<int>("--batch-size") { Description = "Documents per upsert request.", DefaultValueFactory = _ => 64 };
        var reuse = new Option<bool>("--reuse-index")
        {
            Description = "With --url: keep this dataset's index if it exists (another split of the same corpus, or another --stage1).",
        };
        var stage1 = CommonOptions.Stage1();
        var fusion = CommonOptions.Stage1Fusion();
        var command = new Command("eval", "Evaluate both stages on a BEIR dataset.")
        {
            dataset, output, candidates, topK, limit, split, url, key, batchSize, reuse, stage1, fusion,
        };
        command.SetAction(async (parse, ct) =>
        {
            var settings = new Settings(parse.GetValue(dataset)!, parse.GetValue(output)!, parse.GetValue(candidates), parse.GetValue(topK),
                parse.GetValue(limit), parse.GetValue(split)!, parse.GetValue(batchSize), parse.GetValue(reuse), parse.GetValue(stage1),
                parse.GetValue(fusion));
            if (parse.GetValue(url) is { } remote)
            {
                using var http = CommonOptions.Http(remote, parse.GetValue(key));
                await RunAsync(new RerankClient(http), settings, Console.Out, ct);
            }
            else
            {
                await using var cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true, cancellationToken: ct);
                using var http = new HttpClient { BaseAddress = cluster.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
                await RunAsync(new RerankClient(http), settings, Console.Out, ct);
            }

            return 0;
        });
        return command;
    }

    /// <param name="ReuseIndex">Keep an existing index of this dataset instead of ingesting it again (another split, same corpus).</param>
    /// <param name="Stage1">dense, lexical or hybrid; null: the index's default.</param>
    /// <param name="Fusion">Hybrid's fusion, rrf or linear; null: the server's.</param>
    public sealed record Settings(string Dataset, string Output, int Candidates, int TopK, int? LimitQueries, string Split, int BatchSize, bool ReuseIndex = false,
        string? Stage1 = null, string? Fusion = null);

    public static async Task<JsonDocument> RunAsync(RerankClient client, Settings settings, TextWriter console, CancellationToken ct)
    {
        if (settings.TopK < 1 || settings.TopK > settings.Candidates)
        {
            throw new ArgumentException($"--top-k must be between 1 and --candidates ({settings.Candidates}).");
        }

        var data = BeirDataset.Load(settings.Dataset, settings.Split);
        var queries = data.Queries.Take(settings.LimitQueries ?? int.MaxValue).ToList();
        // Before the long part: a folder that cannot be written fails now, not after every query ran.
        Directory.CreateDirectory(settings.Output);
        var index = "eval-" + new string(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.Dataset)))
            .ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').Take(40).ToArray());
        var existing = await client.GetIndexAsync(index, ct);
        CorpusUpload.Summary ingest;
        if (settings.ReuseIndex && existing is { Documents: { } stored, Chunks: { } chunks })
        {
            // Another split of the same corpus, evaluated on a running cluster: the corpus is already in.
            console.WriteLine($"reusing index {index} ({stored} documents)");
            ingest = new CorpusUpload.Summary(stored, chunks, TimeSpan.Zero);
        }
        else
        {
            if (existing is not null)
            {
                await client.DeleteIndexAsync(index, ct);
            }

            ingest = await CorpusUpload.RunAsync(client, index, data.CorpusPath, settings.BatchSize, null, ct);
        }

        var searches = new List<EvaluatedQuery>();
        var progress = new ProgressBar("queries", queries.Count, "queries");
        foreach (var query in queries)
        {
            searches.Add(new EvaluatedQuery(query, await client.SearchAsync(index,
                new SearchBody(query.Text, settings.Candidates, settings.Candidates, false, Stage1Depth, Stage1: settings.Stage1,
                    Stage1Fusion: settings.Fusion), ct)));
            progress.Advance(1);
        }

        progress.Complete();
        var judgedSets = await RerankJudgedSets(client, data, queries, ct);
        return await WriteResultsAsync(settings, data.Qrels, ingest, searches, judgedSets, console, ct);
    }

    /// <summary>One query of the dataset and the server's answer to it.</summary>
    public sealed record EvaluatedQuery(BeirQuery Query, SearchResponseBody Response);

    /// <summary>
    /// Everything eval writes, from the server's answers: stage1.trec, stage2.trec, metrics.json and
    /// report.html (rendered from metrics.json, so the two agree); returns metrics.json.
    /// </summary>
    public static async Task<JsonDocument> WriteResultsAsync(Settings settings, Qrels qrels, CorpusUpload.Summary ingest,
        IReadOnlyList<EvaluatedQuery> searches, JudgedSetRanking.Summary? judgedSets, TextWriter console, CancellationToken ct)
    {
        Directory.CreateDirectory(settings.Output);
        var stage1 = new Dictionary<string, IReadOnlyList<(string DocumentId, double Score)>>();
        var stage2 = new Dictionary<string, IReadOnlyList<(string DocumentId, double Score)>>();
        var timings = new Dictionary<string, List<double>>
        {
            ["embed_ms"] = [], ["stage1_ms"] = [], ["rerank_ms"] = [], ["inference_ms"] = [], ["server_total_ms"] = [],
        };
        var scored = new Dictionary<string, SearchHitBody[]>();
        string? crossEncoder = null;
        var relevance = true;
        var stage1Weight = 0.0;
        string? stage1Mode = null, stage1Fusion = null;
        foreach (var (query, response) in searches)
        {
            crossEncoder = response.Model.CrossEncoder;
            relevance = response.Model.ScoresAreRelevance;
            stage1Weight = response.Model.Stage1Weight;
            // What the server ran, which is what the numbers measure (the index's default where --stage1 was left out).
            stage1Mode = response.Model.Stage1;
            stage1Fusion = response.Model.Stage1Fusion;
            stage1[query.Id] = TrecRun.CollapseToDocuments((response.Stage1 ?? []).Select(h => (h.Id, (double)h.Score)));
            stage2[query.Id] = TrecRun.CollapseToDocuments(FinalScores(response));
            scored[query.Id] = response.Results;
            timings["embed_ms"].Add(response.Timings.EmbedMs);
            timings["stage1_ms"].Add(response.Timings.Stage1Ms);
            timings["rerank_ms"].Add(response.Timings.RerankMs);
            timings["inference_ms"].Add(response.Timings.InferenceMs);
            timings["server_total_ms"].Add(response.Timings.TotalMs);
        }

        TrecRun.Write(Path.Combine(settings.Output, "stage1.trec"), stage1.Select(q => (q.Key, q.Value)), "rerankcluster-stage1");
        TrecRun.Write(Path.Combine(settings.Output, "stage2.trec"), stage2.Select(q => (q.Key, q.Value)), "rerankcluster-stage2");

        var stage1Metrics = RankingMetrics.Summarise(Ids(stage1), qrels);
        var stage2Metrics = RankingMetrics.Summarise(Ids(stage2), qrels);
        var topKSuccess = $"success@{settings.TopK}";
        stage1Metrics[topKSuccess] = Mean(stage1, qrels, settings.TopK);
        stage2Metrics[topKSuccess] = Mean(stage2, qrels, settings.TopK);
        var metrics = new Dictionary<string, object?>
        {
            ["dataset"] = Path.GetFullPath(settings.Dataset),
            ["queries"] = searches.Count,
            ["documents"] = ingest.Documents,
            ["chunks"] = ingest.Chunks,
            ["candidates"] = settings.Candidates,
            ["top_k"] = settings.TopK,
            ["stage1_depth"] = Stage1Depth,
            ["stage1_mode"] = stage1Mode,
            ["stage1_fusion"] = stage1Fusion,
            ["cross_encoder"] = crossEncoder,
            ["scores_are_relevance"] = relevance,
            ["stage1_weight"] = stage1Weight,
            ["warning"] = relevance ? null : Gateway.Endpoints.ResponseMapping.NotRelevanceWarning,
            ["stage1"] = stage1Metrics,
            ["stage2"] = stage2Metrics,
            ["comparison"] = StageComparison.Compare(searches.Select(s => s.Query).ToList(), Ids(stage1), Ids(stage2), qrels, settings.TopK),
            ["judged_sets"] = judgedSets,
            ["fusion"] = Fusion(scored, qrels, settings.TopK),
            ["timings"] = new Dictionary<string, object>
            {
                ["ingest_seconds"] = Math.Round(ingest.Elapsed.TotalSeconds, 3),
                ["ingest_documents_per_second"] = Math.Round(ingest.Documents / Math.Max(0.001, ingest.Elapsed.TotalSeconds), 2),
                ["per_query"] = timings.ToDictionary(t => t.Key, t => (object)LatencySummary.Of(t.Value)),
            },
        };
        var json = JsonSerializer.Serialize(metrics, new JsonSerializerOptions(RerankJson.Options) { WriteIndented = true });
        await File.WriteAllTextAsync(Path.Combine(settings.Output, "metrics.json"), json, ct);
        var document = JsonDocument.Parse(json);
        await File.WriteAllTextAsync(Path.Combine(settings.Output, "report.html"), EvalReport.Render(document.RootElement), ct);

        PrintSummary(console, searches.Count, stage1Metrics, stage2Metrics, relevance, settings.Output);
        if (judgedSets is not null)
        {
            console.WriteLine($"judged sets reranked alone ({judgedSets.Queries} queries): relevant first {judgedSets.RelevantFirst:P1}, " +
                              $"relevant below long irrelevant text {judgedSets.RelevantBelowTrap:P1}");
        }

        return document;
    }

    /// <summary>
    /// Where the qrels also judge passages irrelevant (grade 0), as a length-trap probe does, each query's
    /// judged passages are reranked alone and checked: relevant first, and never below a passage whose
    /// metadata <c>kind</c> starts with "long".
    /// </summary>
    private static async Task<JudgedSetRanking.Summary?> RerankJudgedSets(RerankClient client, BeirDataset data, IReadOnlyList<BeirQuery> queries,
        CancellationToken ct)
    {
        var judgedIrrelevant = queries.Where(q => data.Qrels.For(q.Id).Any(j => j.Value <= 0) && data.Qrels.HasRelevant(q.Id)).ToList();
        if (judgedIrrelevant.Count == 0)
        {
            return null;
        }

        var documents = data.ReadCorpus().ToDictionary(d => d.Id, StringComparer.Ordinal);
        var scores = new Dictionary<string, IReadOnlyList<(string DocumentId, double Score)>>();
        foreach (var query in judgedIrrelevant)
        {
            var judged = data.Qrels.For(query.Id).Keys.Where(documents.ContainsKey).ToList();
            // TEI's route with raw_scores: the cross-encoder's logits, each result naming its index in the request.
            var ranked = await client.RerankTeiAsync(
                new TeiRerankBody(query.Text, judged.Select(id => documents[id].IndexedText).ToArray(), true, false, true, null), ct);
            scores[query.Id] = ranked.Select(r => (judged[r.Index], r.Score)).ToList();
        }

        return JudgedSetRanking.Summarise(scores, data.Qrels, id => documents[id].Metadata is { } metadata
            && metadata.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String
            && kind.GetString()!.StartsWith("long", StringComparison.Ordinal));
    }

    /// <summary>
    /// What <c>Rerank:Stage1Weight</c> would have given on these queries, for weights 0, 0.1, …, 1: the
    /// candidates' logits and cosines interpolated as the query grain does. Read it on a training split to
    /// choose the weight; on a test split it only reports.
    /// </summary>
    private static IReadOnlyList<Dictionary<string, double>> Fusion(Dictionary<string, SearchHitBody[]> scored, Qrels qrels, int topK) =>
        Enumerable.Range(0, 11).Select(step =>
        {
            var weight = step / 10.0;
            var runs = scored.ToDictionary(q => q.Key, q =>
            {
                var fused = ScoreFusion.Interpolate(q.Value.Select(h => h.Score).ToArray(), q.Value.Select(h => h.Stage1Score).ToArray(), weight);
                return (IReadOnlyList<string>)TrecRun.CollapseToDocuments(q.Value.Select((h, i) => (h.Id, fused[i])).OrderByDescending(h => h.Item2))
                    .Select(d => d.DocumentId).ToList();
            });
            return new Dictionary<string, double>
            {
                ["stage1_weight"] = weight,
                [$"success@{topK}"] = Math.Round(runs.Average(r => RankingMetrics.SuccessAt(r.Value, qrels.For(r.Key), topK)), 6),
                ["ndcg@10"] = Math.Round(runs.Average(r => RankingMetrics.NdcgAt(r.Value, qrels.For(r.Key), 10)), 6),
            };
        }).ToList();

    /// <summary>
    /// The score each result was ranked by: its logit, or where the server fused in stage 1, the fused
    /// score (every candidate is returned, so it is computed over the set the server fused), since TREC
    /// tools order by score, not by rank.
    /// </summary>
    private static IEnumerable<(string DocumentId, double Score)> FinalScores(SearchResponseBody response)
    {
        var scores = response.Model.Stage1Weight > 0 && !response.Degraded
            ? ScoreFusion.Interpolate(response.Results.Select(h => h.Score).ToArray(), response.Results.Select(h => h.Stage1Score).ToArray(),
                response.Model.Stage1Weight)
            : response.Results.Select(h => (double)h.Score).ToArray();
        return response.Results.Select((h, i) => (h.Id, scores[i]));
    }

    private static Dictionary<string, IReadOnlyList<string>> Ids(Dictionary<string, IReadOnlyList<(string DocumentId, double Score)>> run) =>
        run.ToDictionary(q => q.Key, q => (IReadOnlyList<string>)q.Value.Select(d => d.DocumentId).ToList());

    private static double Mean(Dictionary<string, IReadOnlyList<(string DocumentId, double Score)>> run, Qrels qrels, int k) =>
        run.Count == 0 ? 0 : Math.Round(run.Average(q => RankingMetrics.SuccessAt(q.Value.Select(d => d.DocumentId).ToList(), qrels.For(q.Key), k)), 6);

    private static void PrintSummary(TextWriter console, int queries, IDictionary<string, double> stage1, IDictionary<string, double> stage2,
        bool relevance, string output)
    {
        console.WriteLine($"{queries} queries; metrics in {Path.Combine(output, "metrics.json")}, report in {Path.Combine(output, "report.html")}");
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
