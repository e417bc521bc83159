using System.Globalization;
using System.Text;
using System.Text.Json;
using RerankCluster.Evaluation.Reports;
using RerankCluster.Inference.Models;
using static RerankCluster.Evaluation.Reports.ReportPage;

namespace RerankCluster.Bench;

/// <summary>
/// bench.html beside bench.json: one run's scenarios side by side on one self-contained page (inline CSS
/// and SVG, no script, nothing fetched) that opens from disk. It is a view of bench.json alone: every value
/// it shows carries its JSON pointer (<c>data-json</c> on text, <c>data-plot</c> on a bar) and exact JSON
/// value (<c>data-value</c>), as eval's report does, so the page and the file cannot disagree unnoticed.
/// </summary>
public static class BenchReport
{
    private const string Blue = "#4a7ab8";
    private const string Orange = "#d9730d";
    private const string Green = "#2ca02c";
    private const string Purple = "#9467bd";
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    /// <summary>A scenario: its throughput key and, where it ran queries end to end, the prefix of its latency keys.</summary>
    private sealed record Scenario(string Tick, string Label, string Series, string Colour, string Qps, string? Run);

    // The order a reader follows: the seed's pattern, the cluster as it is loaded, then the ceilings it is compared with.
    private static readonly Scenario[] Scenarios =
    [
        new("baseline", "baseline: the seed's pattern (one padded fp32 predict per query, one query at a time)", "the seed's pattern", "#8a8a8a",
            "baseline_qps", "baseline"),
        new("cluster c1", "cluster path, 1 query in flight", "cluster path", Blue, "cluster_qps_c1", "cluster_c1"),
        new("cluster c4", "cluster path, 4 queries in flight", "cluster path", Blue, "cluster_qps_c4", "cluster_c4"),
        new("cluster c16", "cluster path, 16 queries in flight", "cluster path", Blue, "cluster_qps_c16", "cluster_c16"),
        new("raw fp32", "raw ONNX Runtime, fp32, on the batches the cluster formed at 16 in flight", "raw ONNX Runtime fp32", Green,
            "raw_ort_qps", null),
        new("raw Int8", "raw ONNX Runtime, Int8, on the same batches", "raw ONNX Runtime Int8", Orange, "int8_qps_raw", null),
        new("raw Int8Dyn", "raw ONNX Runtime, Int8Dynamic, on the same batches", "raw ONNX Runtime Int8Dynamic", Purple, "int8_dynamic_qps_raw", null),
    ];

    private static readonly (string Key, string Label, string Colour)[] Variants = [("int8", "Int8", Orange), ("int8_dynamic", "Int8Dynamic", Purple)];

    private static readonly (string Key, string Colour)[] Percentiles = [("p50", Blue), ("p90", Orange), ("p99", "#b91c1c")];

    /// <summary>One group of bars along the x axis, each bar a JSON value.</summary>
    private sealed record BarGroup(string Tick, IReadOnlyList<(string Pointer, string Series, string Colour)> Bars);

    public static string Render(JsonElement bench)
    {
        var page = Begin("Benchmark: " + bench.GetProperty("measured_at").GetString());
        Header(page, bench);
        Throughput(page, bench);
        Latency(page, bench);
        OpenLoop(page, bench);
        Quantisation(page, bench);
        StageSplit(page, bench);
        Compute(page, bench);
        return End(page);
    }

    private static void Header(StringBuilder page, JsonElement bench)
    {
        page.Append("<h1>Benchmark: the seed's pattern, the cluster and raw ONNX Runtime</h1>\n");
        // Either condition changes what the figures mean: said before any of them.
        if (bench.GetProperty("cluster_simulated").GetBoolean())
        {
            Alert(page, "simulated", "Simulated accelerators.", "The cluster's scenarios (1, 4 and 16 queries in flight, and the stage split) " +
                "ran on simulated accelerators (Simulation:Enabled): their times are modelled, not measured. The baseline and the raw " +
                "ONNX Runtime replays ran the real model.");
        }

        if (!bench.GetProperty("scores_are_relevance").GetBoolean())
        {
            Alert(page, "not-relevance", "Scores are not relevance.", $"The cross-encoder's {DerivedTestCrossEncoder.Warning}. Its timings are " +
                "real; the quantisation agreement figures compare this model's orders with its fp32 orders, not rankings by relevance.");
        }

        page.Append("<p id=\"provenance\">Every figure on this page was measured by one <code>rerank bench</code> run on the machine that ran it, ")
            .Append("at the time below, and is read from the bench.json written beside this page.</p>\n<dl class=\"facts\">\n")
            .Append("<dt>Measured at</dt><dd>").Append(Value(bench, "/measured_at")).Append("</dd>\n")
            .Append("<dt>Machine</dt><dd>").Append(Value(bench, "/machine")).Append(", ").Append(Number(bench, "/cores", "F0"))
            .Append(" cores, fp32 peak ").Append(Number(bench, "/peak_gflops_fma", "F0")).Append(" GFLOP/s measured with ")
            .Append(Number(bench, "/peak_vector_bits", "F0")).Append("-bit fused multiply-adds on every core</dd>\n")
            .Append("<dt>Cross-encoder</dt><dd>").Append(Value(bench, "/cross_encoder")).Append("</dd>\n")
            .Append("<dt>Scores are relevance</dt><dd>").Append(Value(bench, "/scores_are_relevance")).Append("</dd>\n")
            .Append("<dt>Cluster on simulated accelerators</dt><dd>").Append(Value(bench, "/cluster_simulated")).Append("</dd>\n")
            .Append("<dt>Pairs reranked per query</dt><dd>").Append(Number(bench, "/pairs_per_query", "F0")).Append("</dd>\n</dl>\n");
    }

    private static void Throughput(StringBuilder page, JsonElement bench)
    {
        page.Append("<section>\n<h2>Throughput per scenario</h2>\n")
            .Append(BarChart(bench, 760, "Throughput per scenario", "queries per second", "F2",
                Scenarios.Select(s => new BarGroup(s.Tick, [("/" + s.Qps, s.Series, s.Colour)])).ToList(),
                "Queries a second, each reranking the pairs above; the raw ONNX Runtime bars replay the batches the cluster formed."))
            .Append("<div class=\"scroll\"><table id=\"scenarios\">\n").Append(Caption(bench, "caption"))
            .Append("<thead><tr><th scope=\"col\">scenario</th><th scope=\"col\">q/s</th><th scope=\"col\">pairs/s</th>");
        foreach (var (percentile, _) in Percentiles)
        {
            page.Append("<th scope=\"col\">").Append(percentile).Append(" ms</th>");
        }

        page.Append("</tr></thead>\n<tbody>\n");
        foreach (var scenario in Scenarios)
        {
            page.Append("<tr><th scope=\"row\">").Append(Text(scenario.Label)).Append("</th>").Append(Number(bench, "/" + scenario.Qps, "F2", "td"));
            if (scenario.Run is { } run)
            {
                page.Append(Number(bench, $"/{run}_pairs_per_s", "F1", "td"));
                foreach (var (percentile, _) in Percentiles)
                {
                    page.Append(Number(bench, $"/{run}_{percentile}_ms", "F0", "td"));
                }
            }
            else
            {
                // A replay times batches, not queries: it has no per-query latency.
                page.Append("<td colspan=\"").Append(Percentiles.Length + 1).Append("\">replay of batches: no per-query figures</td>");
            }

            page.Append("</tr>\n");
        }

        page.Append("</tbody>\n</table></div>\n<p>The cluster at 16 in flight reaches ").Append(Number(bench, "/speedup_c16_vs_baseline", "F2"))
            .Append(" × the baseline's throughput and ").Append(Number(bench, "/cluster_vs_raw_ort", "F2"))
            .Append(" × raw ONNX Runtime's on the batches it formed itself.</p>\n</section>\n");
    }

    private static void Latency(StringBuilder page, JsonElement bench)
    {
        var groups = Scenarios.Where(s => s.Run is not null)
            .Select(s => new BarGroup(s.Tick, Percentiles.Select(p => ($"/{s.Run}_{p.Key}_ms", p.Key, p.Colour)).ToList())).ToList();
        page.Append("<section>\n<h2>Latency per query</h2>\n")
            .Append(BarChart(bench, 760, "Latency percentiles per scenario", "milliseconds", "F0", groups,
                "Nearest-rank percentiles of each query's time end to end, in the process that sent it."))
            .Append("</section>\n");
    }

    private static void OpenLoop(StringBuilder page, JsonElement bench)
    {
        page.Append("<section>\n<h2>Latency below saturation (open loop)</h2>\n<div class=\"scroll\"><table id=\"open-loop\">\n")
            .Append(Caption(bench, "caption"))
            .Append("<thead><tr><th scope=\"col\">offered load</th><th scope=\"col\">q/s</th><th scope=\"col\">seed p50 ms</th>")
            .Append("<th scope=\"col\">seed p99 ms</th><th scope=\"col\">cluster p50 ms</th><th scope=\"col\">cluster p99 ms</th>")
            .Append("<th scope=\"col\">cluster p99 ÷ seed p99</th></tr></thead>\n<tbody>\n");
        foreach (var load in new[] { 50, 80 })
        {
            page.Append("<tr><th scope=\"row\">").Append(load).Append(" % of the seed's capacity</th>");
            foreach (var (suffix, format) in new[]
                     {
                         ("rate_qps", "F2"), ("baseline_p50_ms", "F0"), ("baseline_p99_ms", "F0"), ("cluster_p50_ms", "F0"), ("cluster_p99_ms", "F0"),
                         ("p99_ratio", "F2"),
                     })
            {
                page.Append(Number(bench, $"/open_{load}_{suffix}", format, "td"));
            }

            page.Append("</tr>\n");
        }

        page.Append("</tbody>\n</table></div>\n<p>Queries arrive at a fixed rate whether or not earlier ones have ended, and each latency counts ")
            .Append("from its arrival, so waiting behind earlier queries is part of it. Both get the same arrivals; the seed answers one query ")
            .Append("at a time.</p>\n</section>\n");
    }

    private static void Quantisation(StringBuilder page, JsonElement bench)
    {
        var speedUp = Variants.Select(v => new BarGroup(v.Label, [($"/{v.Key}_speedup", v.Label, v.Colour)])).ToList();
        var agreement = Variants.Select(v => new BarGroup(v.Label,
            [($"/{v.Key}_top5_agreement", "synthetic queries", Blue), ($"/{v.Key}_top5_agreement_real", "real English (beir-mini)", Green)])).ToList();
        page.Append("<section>\n<h2>Quantisation against fp32</h2>\n<div class=\"charts\">\n")
            .Append(BarChart(bench, 480, "Speed-up over fp32", "× fp32's throughput (fp32 = 1)", "F2", speedUp,
                "Raw ONNX Runtime on the same batches, the three precisions interleaved."))
            .Append(BarChart(bench, 480, "Top-5 agreement with fp32", "share of fp32's top 5 kept", "P0", agreement,
                "The share of fp32's top 5 each variant keeps, averaged over queries.", yMax: 1))
            .Append("</div>\n<div class=\"scroll\"><table id=\"quantisation\">\n").Append(Caption(bench, "caption"))
            .Append("<thead><tr><th scope=\"col\">variant</th><th scope=\"col\">speed-up</th><th scope=\"col\">q/s (raw)</th>")
            .Append("<th scope=\"col\">top-5 agreement, synthetic</th><th scope=\"col\">top-5 agreement, real</th>")
            .Append("<th scope=\"col\">Spearman, synthetic</th><th scope=\"col\">Spearman, real</th></tr></thead>\n<tbody>\n");
        foreach (var (key, label, _) in Variants)
        {
            page.Append("<tr><th scope=\"row\">").Append(label).Append("</th>");
            foreach (var (suffix, format) in new[]
                     {
                         ("speedup", "F2"), ("qps_raw", "F2"), ("top5_agreement", "P1"), ("top5_agreement_real", "P1"), ("spearman", "F3"),
                         ("spearman_real", "F3"),
                     })
            {
                page.Append(Number(bench, $"/{key}_{suffix}", format, "td"));
            }

            page.Append("</tr>\n");
        }

        page.Append("</tbody>\n</table></div>\n<p>Agreement is over ").Append(Number(bench, "/agreement_queries_synthetic", "F0"))
            .Append(" synthetic queries and ").Append(Number(bench, "/agreement_queries_real", "F0"))
            .Append(" real English queries, each against every document of the beir-mini sample.</p>\n</section>\n");
    }

    private static void StageSplit(StringBuilder page, JsonElement bench)
    {
        // The keys name the sizes by their defaults; the chunk counts say what ran.
        var sizes = new[] { (Chunks: "small_index_chunks", Suffix: "5k"), (Chunks: "large_index_chunks", Suffix: "50k") };
        var groups = sizes.Select(s => new BarGroup($"{Resolve(bench, "/" + s.Chunks).GetDouble().ToString("N0", Culture)} chunks",
            [($"/stage1_fraction_{s.Suffix}", "stage 1", Blue)])).ToList();
        page.Append("<section>\n<h2>Stage 1's share of a query</h2>\n")
            .Append(BarChart(bench, 480, "Stage 1 (embed + search) share of a query", "share of the query's time", "P1", groups,
                "Medians over six searches through the cluster, four shards."))
            .Append("<div class=\"scroll\"><table id=\"stage-split\">\n").Append(Caption(bench, "caption"))
            .Append("<thead><tr><th scope=\"col\">index</th><th scope=\"col\">stage 1 ms</th><th scope=\"col\">stage 2 ms</th>")
            .Append("<th scope=\"col\">stage 1 share</th></tr></thead>\n<tbody>\n");
        foreach (var (chunks, suffix) in sizes)
        {
            page.Append("<tr>").Append(Number(bench, "/" + chunks, "N0", "th")).Append(Number(bench, $"/stage1_ms_{suffix}", "F1", "td"))
                .Append(Number(bench, $"/stage2_ms_{suffix}", "F1", "td")).Append(Number(bench, $"/stage1_fraction_{suffix}", "P1", "td")).Append("</tr>\n");
        }

        page.Append("</tbody>\n</table></div>\n</section>\n");
    }

    private static void Compute(StringBuilder page, JsonElement bench)
    {
        page.Append("<section>\n<h2>Compute achieved and the batches the cluster formed</h2>\n<div class=\"scroll\"><table id=\"compute\">\n")
            .Append(Caption(bench, "caption")).Append("<tbody>\n");
        foreach (var (key, label, format) in new[]
                 {
                     ("baseline_gflops", "baseline, GFLOP/s", "F1"), ("cluster_c16_gflops", "cluster at 16 in flight, GFLOP/s", "F1"),
                     ("raw_ort_gflops", "raw ONNX Runtime fp32, GFLOP/s", "F1"), ("peak_gflops_fma", "measured fp32 peak of this machine (fused multiply-adds), GFLOP/s", "F0"),
                     ("formed_batches", "batches formed at 16 in flight", "F0"), ("formed_mean_rows", "mean pairs per batch", "F1"),
                     ("formed_padding_fraction", "padding in the formed batches", "P1"),
                 })
        {
            page.Append("<tr><th scope=\"row\">").Append(label).Append("</th>").Append(Number(bench, "/" + key, format, "td")).Append("</tr>\n");
        }

        page.Append("</tbody>\n</table></div>\n</section>\n");
    }

    /// <summary>
    /// A bar chart in a figure, its caption saying where and when it was measured: a group of bars per tick,
    /// a legend where there is more than one series, the y axis from 0 to <paramref name="yMax"/> or a round value above the tallest bar.
    /// </summary>
    private static string BarChart(JsonElement bench, int width, string title, string yTitle, string format, IReadOnlyList<BarGroup> groups,
        string caption, double? yMax = null)
    {
        var tallest = groups.SelectMany(g => g.Bars).Max(b => Resolve(bench, b.Pointer).GetDouble());
        var top = yMax ?? (tallest > 0 ? SvgChart.NiceCeiling(tallest) : 1);
        var chart = new SvgChart(width, 340, groups.Count, top, title, "", yTitle).YGrid(5, format)
            .XTicks(groups.Select((g, i) => (i + 0.5, g.Tick)));
        for (var g = 0; g < groups.Count; g++)
        {
            // Bars of a group share 80 % of its slot, so neighbouring groups stay apart.
            var bars = groups[g].Bars;
            var barWidth = 0.8 / bars.Count;
            for (var b = 0; b < bars.Count; b++)
            {
                var value = Resolve(bench, bars[b].Pointer);
                var label = value.GetDouble().ToString(format, Culture);
                chart.Bar(g + 0.1 + b * barWidth, barWidth, bars[b].Pointer, value, bars[b].Colour, label, $"{groups[g].Tick}, {bars[b].Series}: {label}");
            }
        }

        var series = groups.SelectMany(g => g.Bars).Select(b => (b.Series, b.Colour)).Distinct().ToList();
        var legend = series.Count > 1
            ? "<p class=\"legend\">" + string.Concat(series.Select(s => $"<span style=\"color:{s.Colour}\">■ {Text(s.Series)}</span> ")) + "</p>\n"
            : "";
        return "<figure>\n" + legend + chart.Render() + Caption(bench, "figcaption", caption) + "</figure>\n";
    }

    /// <summary>Where and when a figure or table was measured, read from bench.json like every other value.</summary>
    private static string Caption(JsonElement bench, string tag, string? text = null) =>
        $"<{tag} class=\"provenance\">{(text is null ? "" : Text(text) + " ")}Measured on this machine ({Number(bench, "/cores", "F0")} cores) " +
        $"at {Value(bench, "/measured_at")}.</{tag}>\n";

    /// <summary>A string or yes/no from bench.json, tagged with its pointer and JSON value as numbers are.</summary>
    private static string Value(JsonElement bench, string pointer)
    {
        var value = Resolve(bench, pointer);
        var shown = value.ValueKind switch
        {
            JsonValueKind.True => "yes",
            JsonValueKind.False => "no",
            _ => value.GetString()!,
        };
        return $"<span data-json=\"{Text(pointer)}\" data-value=\"{Text(value.GetRawText())}\">{Text(shown)}</span>";
    }
}
