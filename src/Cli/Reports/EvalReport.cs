using System.Globalization;
using System.Text;
using System.Text.Json;

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
        var page = new StringBuilder();
        page.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>Evaluation: ").Append(Text(Path.GetFileName(metrics.GetProperty("dataset").GetString() ?? ""))).Append("</title>\n")
            .Append("<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n<main>\n");
        Header(page, metrics);
        MetricsTable(page, metrics);
        Curves(page, metrics);
        RankChange(page, metrics);
        QueryTable(page, metrics, "fixed", "Queries stage 2 fixed", "A relevant document came into the top {0}, where stage 1 had none");
        QueryTable(page, metrics, "broken", "Queries stage 2 broke", "Stage 1 had a relevant document in the top {0}, stage 2 has none");
        Latency(page, metrics);
        page.Append("</main>\n</body>\n</html>\n");
        return page.ToString();
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
            page.Append("<div class=\"not-relevance\" role=\"alert\" id=\"not-relevance\"><strong>Scores are not relevance.</strong> ")
                .Append(Text(warning)).Append(" Stage 2's figures below describe this model's order, not how well reranking finds relevant documents.</div>\n");
        }

        page.Append("<dl class=\"facts\">\n")
            .Append("<dt>Dataset</dt><dd>").Append(Text(metrics.GetProperty("dataset").GetString() ?? "")).Append("</dd>\n")
            .Append("<dt>Cross-encoder</dt><dd id=\"model\">").Append(Text(metrics.GetProperty("cross_encoder").GetString() ?? "(none: no query ran)"))
            .Append("</dd>\n")
            .Append("<dt>Scores are relevance</dt><dd>").Append(metrics.GetProperty("scores_are_relevance").GetBoolean() ? "yes" : "no").Append("</dd>\n")
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
            var top = chart.Y(counts[i]);
            chart.Append($"<rect x=\"{chart.X(i + 0.1):F1}\" y=\"{top:F1}\" width=\"{chart.Width(0.8):F1}\" height=\"{chart.Y(0) - top:F1}\" ")
                .Append($"fill=\"{Stage2Colour}\" data-plot=\"{pointer}\" data-value=\"{counts[i]}\"><title>{SvgChart.Escape(BinLabel(bins[i]))}: ")
                .Append($"{counts[i]} queries</title></rect>\n")
                .Append($"<text x=\"{chart.X(i + 0.5):F1}\" y=\"{top - 4:F1}\" text-anchor=\"middle\" data-json=\"{pointer}\" data-value=\"{counts[i]}\">")
                .Append($"{counts[i]}</text>\n");
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

    /// <summary>A number from metrics.json, shown in <paramref name="format"/> and tagged with where it came from.</summary>
    private static string Number(JsonElement metrics, string pointer, string format, string tag = "span")
    {
        var value = Resolve(metrics, pointer);
        return $"<{tag} class=\"num\" data-json=\"{Text(pointer)}\" data-value=\"{value.GetRawText()}\">{value.GetDouble().ToString(format, Culture)}</{tag}>";
    }

    /// <summary>The value at a JSON pointer (RFC 6901).</summary>
    private static JsonElement Resolve(JsonElement root, string pointer)
    {
        var value = root;
        foreach (var token in pointer.Split('/').Skip(1).Select(t => t.Replace("~1", "/").Replace("~0", "~")))
        {
            value = value.ValueKind == JsonValueKind.Array ? value[int.Parse(token, Culture)] : value.GetProperty(token);
        }

        return value;
    }

    private static string Text(string text) => SvgChart.Escape(text);

    private const string Style = """
        :root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.45; color: #1d1d1f; }
        body { margin: 0; background: #f6f6f4; }
        main { max-width: 1120px; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
        h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
        .not-relevance { background: #fff1e0; border: 3px solid #b45309; border-radius: 6px; padding: .8rem 1rem; font-size: 1.05rem; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
        .facts dt { font-weight: 600; } .facts dd { margin: 0; overflow-wrap: anywhere; }
        table { border-collapse: collapse; background: white; }
        th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: left; vertical-align: top; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .scroll { overflow-x: auto; }
        .charts { display: flex; flex-wrap: wrap; gap: 1rem; }
        .legend span { margin-right: 1.5rem; font-weight: 600; }
        svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
        details { margin-top: 1rem; }
        @media (max-width: 640px) { main { padding: .5rem; } .facts { grid-template-columns: 1fr; } th, td { padding: .2rem .3rem; } }

        """;
}
