using System.CommandLine;
using RerankCluster.Cli.Corpus;
using RerankCluster.Client;

namespace RerankCluster.Cli.Commands;

public static class IngestCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "A JSONL file ({id, text, metadata?} per line) or a BEIR folder." };
        var url = CommonOptions.Url();
        var key = CommonOptions.Key();
        var index = CommonOptions.Index();
        var batchSize = new Option<int>("--batch-size") { Description = "Documents per request.", DefaultValueFactory = _ => 64 };
        var shards = new Option<int?>("--shards") { Description = "Shards, when the index is created by this command." };
        var command = new Command("ingest", "Upsert documents into an index of a running cluster, with progress.")
        {
            path, url, key, index, batchSize, shards,
        };
        command.SetAction(async (parse, ct) =>
        {
            using var http = CommonOptions.Http(parse.GetValue(url)!, parse.GetValue(key));
            var summary = await CorpusUpload.RunAsync(new RerankClient(http), parse.GetValue(index)!, parse.GetValue(path)!,
                parse.GetValue(batchSize), parse.GetValue(shards), ct);
            Console.WriteLine($"ingested {summary.Documents} documents as {summary.Chunks} chunks in {summary.Elapsed.TotalSeconds:F1} s " +
                              $"({summary.Documents / Math.Max(0.001, summary.Elapsed.TotalSeconds):F1} docs/s)");
            return 0;
        });
        return command;
    }
}
