using System.Globalization;
using RerankCluster.Client.Contracts;

namespace RerankCluster.Cli.Terminal;

/// <summary>Prints a search answer for a person: results, both stages' ranks, and where the time went.</summary>
public static class SearchPrinter
{
    public static void Print(string query, SearchResponseBody response, TextWriter output)
    {
        output.WriteLine($"query: {query}");
        foreach (var warning in response.Warnings ?? [])
        {
            output.WriteLine($"  ! {warning}");
        }

        output.WriteLine($"  stage 1: {response.Model.Stage1}{(response.Model.Stage1Fusion is { } fusion ? $" ({fusion})" : "")}");
        output.WriteLine("  rank  stage1  logit     prob    id (chunk)  text");
        for (var i = 0; i < response.Results.Length; i++)
        {
            var hit = response.Results[i];
            var text = hit.Text is null ? "" : Shorten(hit.Text, 70);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {i + 1,4}  {hit.Stage1Rank,6}  {hit.Score,8:F3}  {hit.Probability,6:F3}  {hit.Id} ({hit.Chunk})  {text}"));
        }

        var t = response.Timings;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  timings: embed {t.EmbedMs:F1} ms | stage 1 {t.Stage1Ms:F1} ms | rerank {t.RerankMs:F1} ms " +
            $"({t.Candidates} candidates, {t.Batches} batches, {t.PaddedTokens} padded tokens, {t.RerankSilos.Length} silo(s)) | total {t.TotalMs:F1} ms"));
    }

    private static string Shorten(string text, int max)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= max ? flat : flat[..(max - 1)] + "…";
    }
}
