using System.CommandLine;
using RerankCluster.Cli.Corpus;
using RerankCluster.Client;
using RerankCluster.Cli.Hosting;
using RerankCluster.Cli.Terminal;
using RerankCluster.Client.Contracts;

namespace RerankCluster.Cli.Commands;

/// <summary>
/// The main job in one command: start the embedded cluster, ingest the bundled sample corpus through
/// the HTTP API, answer the sample queries with two-stage results, stop.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var corpus = new Option<string>("--corpus") { Description = "JSONL corpus to ingest.", DefaultValueFactory = _ => SamplePath("sample-corpus.jsonl") };
        var queries = new Option<string>("--queries") { Description = "File with one query per line.", DefaultValueFactory = _ => SamplePath("sample-queries.txt") };
        var query = new Option<string[]>("--query") { Description = "A query to ask (repeatable); replaces --queries." };
        var topK = CommonOptions.TopK();
        var candidates = CommonOptions.Candidates();
        var command = new Command("demo", "Embedded cluster end to end: ingest the sample corpus, answer sample queries, exit.")
        {
            corpus, queries, query, topK, candidates,
        };
        command.SetAction(async (parse, ct) =>
        {
            var asked = parse.GetValue(query) is { Length: > 0 } given
                ? given
                : File.ReadLines(parse.GetValue(queries)!).Where(l => !string.IsNullOrWhiteSpace(l)).ToArray();
            Console.WriteLine("starting the embedded cluster (one silo + HTTP gateway, localhost clustering)…");
            await using var cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true, cancellationToken: ct);
            using var http = new HttpClient { BaseAddress = cluster.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
            var client = new RerankClient(http);
            var summary = await CorpusUpload.RunAsync(client, "sample", parse.GetValue(corpus)!, 32, 2, ct);
            Console.WriteLine($"ingested {summary.Documents} documents ({summary.Chunks} chunks) in {summary.Elapsed.TotalSeconds:F1} s");
            foreach (var text in asked)
            {
                var response = await client.SearchAsync("sample",
                    new SearchBody(text, parse.GetValue(topK), parse.GetValue(candidates), true, null), ct);
                Console.WriteLine();
                SearchPrinter.Print(text, response, Console.Out);
            }

            return 0;
        });
        return command;
    }

    private static string SamplePath(string file)
    {
        // The launcher runs from the repository root; fall back to a copy beside the binaries.
        var fromRoot = Path.Combine(Environment.CurrentDirectory, "samples", file);
        return File.Exists(fromRoot) ? fromRoot : Path.Combine(AppContext.BaseDirectory, "samples", file);
    }
}
