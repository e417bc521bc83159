using System.Text.Json;
using System.CommandLine;
using RerankCluster.Cli.Corpus;
using RerankCluster.Client;
using RerankCluster.Cli.Terminal;
using RerankCluster.Client.Contracts;

namespace RerankCluster.Cli.Commands;

public static class SearchCommand
{
    public static Command Create()
    {
        var query = new Argument<string>("query") { Description = "The question to search for." };
        var url = CommonOptions.Url();
        var key = CommonOptions.Key();
        var index = CommonOptions.Index();
        var topK = CommonOptions.TopK();
        var candidates = CommonOptions.Candidates();
        var stage1 = CommonOptions.Stage1();
        var fusion = CommonOptions.Stage1Fusion();
        var filter = new Option<string?>("--filter")
        {
            Description = "A metadata filter as JSON, e.g. '{\"lang\": \"en\", \"year\": {\"$gte\": 2020}}' (README: Metadata filters).",
        };
        var command = new Command("search", "Two-stage search of an index of a running cluster.")
        {
            query, url, key, index, topK, candidates, stage1, fusion, filter,
        };
        command.SetAction(async (parse, ct) =>
        {
            using var http = CommonOptions.Http(parse.GetValue(url)!, parse.GetValue(key));
            var text = parse.GetValue(query)!;
            JsonElement? filterJson;
            try
            {
                filterJson = parse.GetValue(filter) is { } json ? JsonDocument.Parse(json).RootElement : null;
            }
            catch (JsonException ex)
            {
                await Console.Error.WriteLineAsync($"--filter is not valid JSON: {ex.Message}");
                return 2;
            }

            var response = await new RerankClient(http).SearchAsync(parse.GetValue(index)!,
                new SearchBody(text, parse.GetValue(topK), parse.GetValue(candidates), true, null, Stage1: parse.GetValue(stage1),
                    Stage1Fusion: parse.GetValue(fusion), Filter: filterJson), ct);
            SearchPrinter.Print(text, response, Console.Out);
            return 0;
        });
        return command;
    }
}
