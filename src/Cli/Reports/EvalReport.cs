using System.Globalization;
using System.Text;
using System.Text.Json;
using RerankCluster.Evaluation.Reports;
using static RerankCluster.Evaluation.Reports.ReportPage;

namespace RerankCluster.Cli.Reports;

/// <summary>
/// eval's report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched) that
/// opens from disk. It is a view of metrics.json: every number it shows is read from there and carries
/// that value's JSON pointer (<c>data-json</c> on text, <c>data-plot</c> on a plotted mark) and exact value
/// (<c>data-value</c>), so the page and the file cannot disagree unnoticed, and an earlier run's
/// metrics.json renders the same page again.
/// </summary>
public static class EvalReport
{
    private const string Stage1Colour = "#4a7ab8";
    private const string Stage2Colour = "#d9730d";
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static string Render(JsonElement metrics)
    {
        var page = Begin("Evaluation: " + Path.GetFileName(metrics.GetProperty("dataset").GetString() ?? ""));
        Header(page, metrics);
        MetricsTable(page, metrics);
        Curves(page, metrics);
        RankChange(page, metrics);
        QueryTable(page, metrics, "fixed", "Queries stage 2 fixed", "A relevant document came into the top {0}, where stage 1 had none");
        QueryTable(page, metrics, "broken", "Queries stage 2 broke", "Stage 1 had a relevant document in the top {0}, stage 2 has none");
        Latency(page, metrics);
        return End(page);
    }

    private static void Header(StringBuilder page, JsonElement metrics)
    {
        page.Append("<h1>Evaluation: stage 1 against stage 2</h1>\n");
        if (!metrics.GetProperty("scores_are_relevance").GetBoolean())
        {
            // The derived test model (or a simulated accelerator) ranks by scores that mean nothing: say so before any figure.
            var warning = metrics.TryGetProperty("warning", out var text) && text.ValueKind == JsonValueKind.String
                ? text.GetString()!
                : "The cross-encoder's scores are not relevance.";
            Alert(page, "not-relevance", "Scores are not relevance.",
                warning + " Stage 2's figures below describe this model's order, not how well reranking finds relevant documents.");
        }

        page.Append("<dl class=\"facts\">\n")
            .Append("<dt>Dataset</dt><dd>").Append(Text(metrics.GetProperty("dataset").GetString() ?? "")).Append("</dd>\n")
            .Append("<dt>Cross-encoder</dt><dd id=\"model\">").Append(Text(metrics.GetProperty("cross_encoder").GetString() ?? "(none: no query ran)"))
            .Append("</dd>\n")
            .Append("<dt>Scores are relevance</dt><dd>").Append(metrics.GetProperty("scores_are_relevance").GetBoolean() ? "yes" : "no").Append("</dd>\n")
            .Append("<dt>Stage 1</dt><dd id=\"stage1-mode\">").Append(Text(Stage1Mode(metrics))).Append("</dd>\n")
            .Append("<dt>Stage-1 weight in the final order</dt><dd>").Append(Number(metrics, "/stage1_weight", "0.###")).Append("</dd>\n");
        foreach (var (name, label) in new[]
                 {
                     ("queries", "Queries"), ("documents", "Documents"), ("chunks", "Chunks"), ("candidates", "Candidates reranked"),
                     ("top_k", "Top k returned"), ("stage1_depth", "Stage-1 depth"),
                 })
        {
            page.Append("<dt>").Append(label).Append("</dt><dd>").Append(Number(metrics, "/" + name, "F0")).Append("</dd>\n");
        }

        page.Append("</dl>\n");
    }

    /// <summary>"hybrid (rrf)"; metrics.json of runs before stage-1 modes existed were dense.</summary>
    private static string Stage1Mode(JsonElement metrics)
    {
        var mode = metrics.TryGetProperty("stage1_mode", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "dense";
        return metrics.TryGetProperty("stage1_fusion", out var f) && f.ValueKind == JsonValueKind.String ? $"{mode} ({f.GetString()})" : mode;
    }

    private static void MetricsTable(StringBuilder page, JsonElement metrics)
    {
        // nDCG@10 and MRR@10 lead: the two figures rerankers are compared by.
        var names = metrics.GetProperty("stage1").EnumerateObject().Select(p => p.Name)
            .OrderBy(n => n switch { "ndcg@10" => 0, "mrr@10" => 1, _ => 2 }).ThenBy(n => n, StringComparer.Ordinal);
        page.Append("<section>\n<h2>Ranking metrics</h2>\n<table id=\"metrics\">\n<thead><tr><th scope=\"col\">metric</th>")
            .Append("<th scope=\"col\">stage 1 (bi-encoder)</th><th scope=\"col\">stage 2 (reranked)</th></tr></thead>\n<tbody>\n");
        foreach (var name in names)
        {
            page.Append("<tr data-metric=\"").Append(Text(name)).Append("\"><th scope=\"row\">").Append(Text(name)).Append("</th>")
                .Append(Number(metrics, $"/stage1/{name}", "F4", "td")).Append(Number(metrics, $"/stage2/{name}", "F4", "td")).Append("</tr>\n");
        }

        page.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void Curves(StringBuilder page, JsonElement metrics)
    {
        var depth = metrics.GetProperty("comparison").GetProperty("stage1_curves").GetProperty("recall").GetArrayLength();
        // One legend for both charts, outside them: inside, it would cover the curves where they run near 1.
        page.Append("<section>\n<h2>Recall@k and success@k</h2>\n")
            .Append("<p class=\"legend\"><span style=\"color:").Append(Stage1Colour).Append("\">- - - stage 1 (bi-encoder)</span> ")
            .Append("<span style=\"color:").Append(Stage2Colour).Append("\">—— stage 2 (reranked)</span></p>\n<div class=\"charts\">\n");
        foreach (var (metric, label) in new[] { ("recall", "recall@k"), ("success", "success@k") })
        {
            var chart = new SvgChart(640, 360, depth, 1, $"{label}: stage 1 against stage 2", "k", label)
                .YGrid(5, "F1")
                .XTicks(new[] { 1, 10, 20, 30, 40, 50 }.Where(k => k <= depth).Select(k => ((double)k, k.ToString(Culture))));
            foreach (var (stage, name, colour, dash) in new[] { ("stage1", "stage 1", Stage1Colour, "6 4"), ("stage2", "stage 2", Stage2Colour, null) })
            {
                var pointer = $"/comparison/{stage}_curves/{metric}";
                var values = Resolve(metrics, pointer).EnumerateArray().Select(v => v.GetDouble()).ToList();
                chart.Line(values.Select((v, i) => (i + 1.0, v)).ToList(), colour, dash);
                for (var i = 0; i < values.Count; i++)
                {
                    var point = Resolve(metrics, $"{pointer}/{i}");
                    chart.Append($"<circle cx=\"{chart.X(i + 1):F1}\" cy=\"{chart.Y(values[i]):F1}\" r=\"2.5\" fill=\"{colour}\" ")
                        .Append($"data-plot=\"{pointer}/{i}\" data-value=\"{point.GetRawText()}\" data-stage=\"{stage}\" data-k=\"{i + 1}\">")
                        .Append($"<title>{name} {metric}@{i + 1} = {values[i]:F4}</title></circle>\n");
                }
            }

            page.Append(chart.Render());
        }

        page.Append("</div>\n<details>\n<summary>The curves' values</summary>\n<table id=\"curve-values\">\n<thead><tr><th scope=\"col\">k</th>")
            .Append("<th scope=\"col\">stage 1 recall@k</th><th scope=\"col\">stage 2 recall@k</th>")
            .Append("<th scope=\"col\">stage 1 success@k</th><th scope=\"col\">stage 2 success@k</th></tr></thead>\n<tbody>\n");
        for (var i = 0; i < depth; i++)
        {
            page.Append("<tr><th scope=\"row\">").Append(i + 1).Append("</th>");
            foreach (var pointer in new[] { "stage1_curves/recall", "stage2_curves/recall", "stage1_curves/success", "stage2_curves/success" })
            {
                page.Append(Number(metrics, $"/comparison/{pointer}/{i}", "F4", "td"));
            }

            page.Append("</tr>\n");
        }

        page.Append("</tbody>\n</table>\n</details>\n</section>\n");
    }

    private static void RankChange(StringBuilder page, JsonElement metrics)
    {
        const string histogram = "/comparison/rank_change";
        var bins = Resolve(metrics, histogram + "/bins").EnumerateArray().ToList();
        var counts = bins.Select(b => b.GetProperty("queries").GetInt32()).ToList();
        var yMax = SvgChart.NiceCeiling(Math.Max(1, counts.Max()));
        var chart = new SvgChart(640, 320, bins.Count, yMax, "Rank change of the first relevant document (stage 1 rank − stage 2 rank)",
                "places moved up by stage 2 (negative: down)", "queries")
            .YGrid(yMax < 5 ? (int)yMax : 5, "F0")
            .XTicks(bins.Select((b, i) => (i + 0.5, BinLabel(b))));
        for (var i = 0; i < bins.Count; i++)
        {
            var pointer = $"{histogram}/bins/{i}/queries";
            chart.Bar(i + 0.1, 0.8, pointer, Resolve(metrics, pointer), Stage2Colour, counts[i].ToString(Culture), $"{BinLabel(bins[i])}: {counts[i]} queries");
        }

        page.Append("<section>\n<h2>How far stage 2 moved the relevant document</h2>\n<p id=\"rank-change-summary\">Stage 2 moved each query's first ")
            .Append("relevant document up for ").Append(Number(metrics, histogram + "/moved_up", "F0")).Append(" queries, left it in place for ")
            .Append(Number(metrics, histogram + "/unchanged", "F0")).Append(" and moved it down for ").Append(Number(metrics, histogram + "/moved_down", "F0"))
            .Append("; for ").Append(Number(metrics, histogram + "/not_ranked", "F0"))
            .Append(" queries it was not among the candidates stage 2 reranked.</p>\n")
            .Append(chart.Render()).Append("</section>\n");
    }

    private static string BinLabel(JsonElement bin)
    {
        int? Bound(string name) => bin.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;
        string Signed(int value) => value > 0 ? $"+{value}" : value < 0 ? $"−{-value}" : "0";
        return (Bound("min"), Bound("max")) switch
        {
            (null, { } max) => $"≤ {Signed(max)}",
            ({ } min, null) => $"≥ {Signed(min)}",
            ({ } min, { } max) when min == max => Signed(min),
            ({ } min, { } max) => $"{Signed(min)} … {Signed(max)}",
            _ => "all",
        };
    }

    private static void QueryTable(StringBuilder page, JsonElement metrics, string list, string title, string explanation)
    {
        var pointer = $"/comparison/{list}";
        var rows = Resolve(metrics, pointer).EnumerateArray().ToList();
        page.Append("<section>\n<h2>").Append(title).Append("</h2>\n<p>")
            .Append(string.Format(Culture, explanation, Number(metrics, "/comparison/top_k", "F0"))).Append(".</p>\n");
        if (rows.Count == 0)
        {
            page.Append("<p class=\"none\">None.</p>\n</section>\n");
            return;
        }

        page.Append("<div class=\"scroll\"><table id=\"").Append(list).Append("\">\n<thead><tr><th scope=\"col\">query</th><th scope=\"col\">text</th>")
            .Append("<th scope=\"col\">stage-1 rank</th><th scope=\"col\">stage-2 rank</th><th scope=\"col\">change</th></tr></thead>\n<tbody>\n");
        for (var i = 0; i < rows.Count; i++)
        {
            var id = rows[i].GetProperty("query_id").GetString() ?? "";
            page.Append("<tr data-query-id=\"").Append(Text(id)).Append("\"><th scope=\"row\">").Append(Text(id)).Append("</th><td>")
                .Append(Text(rows[i].GetProperty("query").GetString() ?? "")).Append("</td>");
            foreach (var (field, format) in new[] { ("stage1_rank", "F0"), ("stage2_rank", "F0"), ("change", "+0;−0;0") })
            {
                // A rank is absent where that stage's list does not hold a relevant document.
                page.Append(rows[i].TryGetProperty(field, out _) ? Number(metrics, $"{pointer}/{i}/{field}", format, "td") : "<td>—</td>");
            }

            page.Append("</tr>\n");
        }

        page.Append("</tbody>\n</table></div>\n</section>\n");
    }

    private static void Latency(StringBuilder page, JsonElement metrics)
    {
        const string timings = "/timings/per_query";
        page.Append("<section>\n<h2>Latency per query (server-side, ms)</h2>\n<div class=\"scroll\"><table id=\"latency\">\n<thead><tr>")
            .Append("<th scope=\"col\">stage</th>");
        var columns = new[] { "count", "mean", "p50", "p90", "p99", "max" };
        foreach (var column in columns)
        {
            page.Append("<th scope=\"col\">").Append(column).Append("</th>");
        }

        page.Append("</tr></thead>\n<tbody>\n");
        foreach (var stage in Resolve(metrics, timings).EnumerateObject())
        {
            page.Append("<tr data-stage=\"").Append(Text(stage.Name)).Append("\"><th scope=\"row\">").Append(Text(stage.Name)).Append("</th>");
            foreach (var column in columns)
            {
                page.Append(Number(metrics, $"{timings}/{stage.Name}/{column}", "0.###", "td"));
            }

            page.Append("</tr>\n");
        }

        page.Append("</tbody>\n</table></div>\n<p>Ingestion: ").Append(Number(metrics, "/timings/ingest_seconds", "0.###")).Append(" s, ")
            .Append(Number(metrics, "/timings/ingest_documents_per_second", "0.##")).Append(" documents/s.</p>\n</section>\n");
    }
}
