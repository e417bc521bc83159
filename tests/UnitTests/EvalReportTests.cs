using System.Globalization;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using RerankCluster.Cli.Corpus;
using RerankCluster.Client;
using RerankCluster.Cli.Commands;
using RerankCluster.Evaluation;
using RerankCluster.Client.Contracts;
using RerankCluster.Gateway.Endpoints;
using static RerankCluster.UnitTests.ReportAssert;

namespace RerankCluster.UnitTests;

/// <summary>
/// eval's report.html from a tiny hand-made eval (six queries, their qrels, the server's two orders):
/// every number the page shows equals metrics.json, and the figures equal what this test works out itself.
/// </summary>
public sealed class EvalReportTests : IDisposable
{
    private const int TopK = 2;

    private static readonly Qrels Judgements = new(new()
    {
        ["q1"] = new() { ["d3"] = 1, ["d1"] = 0 },
        ["q2"] = new() { ["d1"] = 1 },
        ["q3"] = new() { ["d2"] = 2, ["d4"] = 1 },
        ["q4"] = new() { ["d9"] = 1 },
        ["q5"] = new() { ["d2"] = 1 },
        ["q6"] = new() { ["d4"] = 1 },
    });

    /// <summary>Query → (text, stage-1 chunks in order as (document, chunk), stage-2 documents in order, server total ms).</summary>
    private static readonly (string Id, string Text, (string Doc, int Chunk)[] Stage1, string[] Stage2, double TotalMs)[] Eval =
    [
        // Stage 2 lifts the relevant d3 from 3rd to 1st: fixed at k = 2. d1's second chunk collapses into d1.
        ("q1", "which river <flows> north", [("d1", 0), ("d1", 1), ("d2", 0), ("d3", 0), ("d4", 0)], ["d3", "d1", "d2", "d4"], 10),
        // Stage 2 drops the relevant d1 from 1st to 3rd: broken at k = 2.
        ("q2", "oldest mountain range", [("d1", 0), ("d2", 0), ("d3", 0), ("d4", 0)], ["d2", "d4", "d1", "d3"], 20),
        // Graded: d2 (2) and d4 (1); stage 2 lifts d2 from 2nd to 1st.
        ("q3", "glacier & ice", [("d1", 0), ("d2", 0), ("d4", 0), ("d3", 0)], ["d2", "d4", "d1", "d3"], 30),
        // The relevant d9 is in neither list.
        ("q4", "desert rain", [("d1", 0), ("d2", 0), ("d3", 0), ("d4", 0)], ["d4", "d3", "d2", "d1"], 40),
        // At the edges of the top 2: d2 drops from 2nd to 3rd (broken), d4 rises from 4th to 2nd (fixed).
        ("q5", "tides and the moon", [("d1", 0), ("d2", 0), ("d3", 0), ("d4", 0)], ["d1", "d3", "d2", "d4"], 50),
        ("q6", "coral reefs", [("d1", 0), ("d2", 0), ("d3", 0), ("d4", 0)], ["d1", "d4", "d2", "d3"], 60),
    ];

    private readonly string _output = Directory.CreateTempSubdirectory("rerank-eval-report-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Fact]
    public async Task Every_number_in_the_report_equals_metrics_json_and_the_hand_computed_eval()
    {
        var (metrics, page) = await RunEval(scoresAreRelevance: true);

        // Every number the page shows carries its JSON pointer: its value and its text agree with metrics.json;
        // so does the value of every plotted mark.
        var numbers = page.QuerySelectorAll("[data-json]").ToList();
        Assert.NotEmpty(numbers);
        foreach (var number in numbers)
        {
            var expected = Resolve(metrics, number.GetAttribute("data-json")!);
            Assert.Equal(expected.GetRawText(), number.GetAttribute("data-value"));
            Shows(expected, number.TextContent, number.GetAttribute("data-json")!);
        }

        var marks = page.QuerySelectorAll("[data-plot]").ToList();
        Assert.Equal(4 * StageComparison.CurveDepth + 9, marks.Count);
        Assert.All(marks, mark => Assert.Equal(Resolve(metrics, mark.GetAttribute("data-plot")!).GetRawText(), mark.GetAttribute("data-value")));

        // The metrics table: every metric of both stages, each equal to this test's own computation.
        var rows = page.QuerySelectorAll("#metrics tbody tr").ToList();
        Assert.Equal(metrics.GetProperty("stage1").EnumerateObject().Select(p => p.Name).Order(), rows.Select(r => r.GetAttribute("data-metric")!).Order());
        Assert.Equal(["ndcg@10", "mrr@10"], rows.Take(2).Select(r => r.GetAttribute("data-metric")));
        foreach (var row in rows)
        {
            var name = row.GetAttribute("data-metric")!;
            var cells = row.QuerySelectorAll("td");
            Assert.Equal(Metric(name, Stage1Run()), Exact(cells[0]), 6);
            Assert.Equal(Metric(name, Stage2Run()), Exact(cells[1]), 6);
        }

        // Worked by hand: MRR@10 stage 1 (1/3 + 1 + 1/2 + 0 + 1/2 + 1/4) / 6, stage 2 (1 + 1/3 + 1 + 0 + 1/3 + 1/2) / 6;
        // stage 2 recall@1 (1 + 0 + 1/2 + 0 + 0 + 0) / 6.
        Assert.Equal(0.430556, Exact(page.QuerySelector("#metrics tr[data-metric='mrr@10'] td")!), 6);
        Assert.Equal(0.527778, Exact(page.QuerySelectorAll("#metrics tr[data-metric='mrr@10'] td")[1]), 6);
        Assert.Equal(0.25, Exact(page.QuerySelectorAll("#curve-values tbody tr")[0].QuerySelectorAll("td")[1]));

        // The curves, k = 1 … 50, in the plots and in their table, against this test's own recall and success.
        var curveRows = page.QuerySelectorAll("#curve-values tbody tr").ToList();
        Assert.Equal(StageComparison.CurveDepth, curveRows.Count);
        foreach (var (metric, column) in new[] { ("recall", 0), ("success", 2) })
        {
            var chart = page.QuerySelectorAll("svg").Single(s => s.GetAttribute("aria-label")!.StartsWith($"{metric}@k", StringComparison.Ordinal));
            foreach (var (stage, run, offset) in new[] { ("stage1", Stage1Run(), 0), ("stage2", Stage2Run(), 1) })
            {
                var points = chart.QuerySelectorAll($"circle[data-stage='{stage}']").ToList();
                Assert.Equal(StageComparison.CurveDepth, points.Count);
                for (var k = 1; k <= StageComparison.CurveDepth; k++)
                {
                    var expected = metric == "recall" ? MeanRecall(run, k) : MeanSuccess(run, k);
                    Assert.Equal(k.ToString(CultureInfo.InvariantCulture), points[k - 1].GetAttribute("data-k"));
                    Assert.Equal(expected, Exact(points[k - 1]), 6);
                    Assert.Equal(expected, Exact(curveRows[k - 1].QuerySelectorAll("td")[column + offset]), 6);
                }

            }

            // Both stages on one pair of axes: position is a linear function of k and of the value.
            var all = chart.QuerySelectorAll("circle").ToList();
            AssertPlotted(all.Select(p => (Attribute(p, "data-k"), Attribute(p, "cx"))).ToList());
            AssertPlotted(all.Select(p => (Exact(p), Attribute(p, "cy"))).ToList());
        }

        // Rank changes of the first relevant document: q1 +2, q2 −2, q3 +1, q4 in neither list, q5 −1, q6 +2.
        var bars = page.QuerySelectorAll("svg rect[data-plot]").ToList();
        var histogram = bars.Select(b => (int)Exact(b)).ToList();
        Assert.Equal([0, 0, 1, 1, 0, 1, 2, 0, 0], histogram);
        var pixelsPerQuery = bars.Max(b => Attribute(b, "height")) / histogram.Max();
        Assert.All(bars.Zip(histogram), bar => Assert.Equal(bar.Second * pixelsPerQuery, Attribute(bar.First, "height"), 0.2));
        Assert.Equal([3, 0, 2, 1], page.QuerySelectorAll("#rank-change-summary [data-json]").Select(n => (int)Exact(n)));

        // The queries stage 2 fixed and broke at the top k, with their texts (escaped) and ranks.
        Assert.Equal<string[]>([["q1", "which river <flows> north", "3", "1", "+2"], ["q6", "coral reefs", "4", "2", "+2"]],
            page.QuerySelectorAll("#fixed tbody tr").Select(r => r.Children.Select(c => c.TextContent).ToArray()));
        Assert.Equal<string[]>([["q2", "oldest mountain range", "1", "3", "−2"], ["q5", "tides and the moon", "2", "3", "−1"]],
            page.QuerySelectorAll("#broken tbody tr").Select(r => r.Children.Select(c => c.TextContent).ToArray()));

        // Server-side latency percentiles (nearest rank) of 10, 20, …, 60 ms.
        var total = page.QuerySelectorAll("#latency tr[data-stage='server_total_ms'] td").Select(Exact);
        Assert.Equal([6, 35, 30, 60, 60, 60], total);

        Assert.Null(page.QuerySelector("#not-relevance"));
        // Self-contained: nothing is fetched when the file is opened from disk.
        Assert.Empty(page.QuerySelectorAll("script, link, img, iframe, [src], [href]"));
    }

    [Fact]
    public async Task The_report_says_prominently_when_scores_are_not_relevance()
    {
        var (_, page) = await RunEval(scoresAreRelevance: false);

        var banner = page.QuerySelector("#not-relevance");
        Assert.NotNull(banner);
        Assert.Equal("alert", banner.GetAttribute("role"));
        Assert.Contains("Scores are not relevance", banner.TextContent);
        Assert.Contains(ResponseMapping.NotRelevanceWarning, banner.TextContent);
        // Before any figure: it is the first thing under the heading.
        Assert.Equal("H1", banner.PreviousElementSibling?.TagName);
    }

    private async Task<(JsonElement Metrics, IDocument Page)> RunEval(bool scoresAreRelevance)
    {
        var searches = Eval.Select(q => new EvalCommand.EvaluatedQuery(new BeirQuery(q.Id, q.Text), new SearchResponseBody(
            q.Stage2.Select((doc, i) => new SearchHitBody(doc, 0, null, null, 5f - i, 0.5, 1, 0.5f)).ToArray(),
            new TimingsBody(1, 2, 3, 0, 0, 3, q.TotalMs, q.Stage2.Length, 1, 64, ["silo-a"]),
            new ModelBody("tiny/cross-encoder", scoresAreRelevance, 0),
            null,
            q.Stage1.Select((hit, i) => new Stage1HitBody(hit.Doc, hit.Chunk, 0.9f - 0.1f * i)).ToArray()))).ToList();
        using var metrics = await EvalCommand.WriteResultsAsync(new EvalCommand.Settings("tiny-eval", _output, 4, TopK, null, "test", 16),
            Judgements, new CorpusUpload.Summary(5, 6, TimeSpan.FromSeconds(2)), searches, null, TextWriter.Null, CancellationToken.None);

        using var written = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_output, "metrics.json")));
        Assert.Equal(metrics.RootElement.GetRawText(), written.RootElement.GetRawText());
        var page = await new HtmlParser().ParseDocumentAsync(await File.ReadAllTextAsync(Path.Combine(_output, "report.html")));
        return (written.RootElement.Clone(), page);
    }

    private static Dictionary<string, string[]> Stage1Run() =>
        Eval.ToDictionary(q => q.Id, q => q.Stage1.Select(h => h.Doc).Distinct().ToArray());

    private static Dictionary<string, string[]> Stage2Run() => Eval.ToDictionary(q => q.Id, q => q.Stage2);

    /// <summary>This test's own metrics, by their names in metrics.json.</summary>
    private static double Metric(string name, Dictionary<string, string[]> run)
    {
        var k = int.Parse(name[(name.IndexOf('@') + 1)..], CultureInfo.InvariantCulture);
        return name[..name.IndexOf('@')] switch
        {
            "recall" => MeanRecall(run, k),
            "success" => MeanSuccess(run, k),
            "mrr" => run.Average(q => q.Value.Take(k).Select((d, i) => Relevant(q.Key).Contains(d) ? 1.0 / (i + 1) : 0).DefaultIfEmpty().Max()),
            "ndcg" => run.Average(q =>
            {
                var grades = Judgements.For(q.Key);
                var dcg = q.Value.Take(k).Select((d, i) => grades.GetValueOrDefault(d) / Math.Log2(i + 2)).Sum();
                var ideal = grades.Values.Where(g => g > 0).OrderDescending().Take(k).Select((g, i) => g / Math.Log2(i + 2)).Sum();
                return dcg / ideal;
            }),
            _ => throw new InvalidOperationException($"metric {name} has no check in this test"),
        };
    }

    private static double MeanRecall(Dictionary<string, string[]> run, int k) =>
        run.Average(q => (double)q.Value.Take(k).Count(Relevant(q.Key).Contains) / Relevant(q.Key).Count);

    private static double MeanSuccess(Dictionary<string, string[]> run, int k) =>
        run.Average(q => q.Value.Take(k).Any(Relevant(q.Key).Contains) ? 1.0 : 0.0);

    private static HashSet<string> Relevant(string query) => Judgements.For(query).Where(j => j.Value > 0).Select(j => j.Key).ToHashSet();

    /// <summary>Points of a plot lie on one straight line: their pixel positions are a linear function of their values.</summary>
    private static void AssertPlotted(IReadOnlyList<(double Value, double Pixel)> points)
    {
        var low = points.MinBy(p => p.Value);
        var high = points.MaxBy(p => p.Value);
        if (high.Value == low.Value)
        {
            Assert.All(points, p => Assert.Equal(low.Pixel, p.Pixel, 0.11));
            return;
        }

        var perUnit = (high.Pixel - low.Pixel) / (high.Value - low.Value);
        Assert.All(points, p => Assert.Equal(low.Pixel + (p.Value - low.Value) * perUnit, p.Pixel, 0.11));
    }

    /// <summary>The exact value an element shows (its text is the same value, rounded: checked above for every number).</summary>
    private static double Exact(IElement element) => Attribute(element, "data-value");
}
