using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using RerankCluster.Bench;
using RerankCluster.Inference.Models;
using static RerankCluster.UnitTests.ReportAssert;

namespace RerankCluster.UnitTests;

/// <summary>
/// bench.html from a hand-written bench.json (every key RerankBenchmark writes, figures like one run on two
/// cores): every value the page shows equals the key it names, the bars are placed and sized by their
/// values, and the banners appear exactly when bench.json marks the run simulated or the model not a relevance model.
/// </summary>
public sealed class BenchReportTests
{
    [Fact]
    public void Every_value_on_the_page_equals_the_bench_json_value_it_names()
    {
        var (bench, page) = Render(scoresAreRelevance: true, simulated: false);

        var shown = page.QuerySelectorAll("[data-json]").ToList();
        foreach (var element in shown)
        {
            var pointer = element.GetAttribute("data-json")!;
            var expected = Resolve(bench, pointer);
            Assert.Equal(expected.GetRawText(), element.GetAttribute("data-value"));
            Shows(expected, element.TextContent, pointer);
        }

        var bars = page.QuerySelectorAll("rect[data-plot]").ToList();
        Assert.NotEmpty(bars);
        Assert.All(bars, bar => Assert.Equal(Resolve(bench, bar.GetAttribute("data-plot")!).GetRawText(), bar.GetAttribute("data-value")));

        // Nothing bench.json holds is left off the page.
        Assert.Equal(bench.EnumerateObject().Select(p => "/" + p.Name).Order(), shown.Select(e => e.GetAttribute("data-json")!).Distinct().Order());

        // Self-contained: nothing is fetched or run when the file is opened from disk.
        Assert.Empty(page.QuerySelectorAll("script, link, img, iframe, [src], [href]"));
    }

    [Fact]
    public void Bars_stand_in_the_tables_order_and_their_heights_are_proportional_to_their_values()
    {
        var (_, page) = Render(scoresAreRelevance: true, simulated: false);
        var cells = page.QuerySelectorAll("table [data-json]").Select(c => c.GetAttribute("data-json")!).ToList();

        var charts = page.QuerySelectorAll("svg").ToList();
        Assert.Equal(5, charts.Count);
        foreach (var chart in charts)
        {
            var bars = chart.QuerySelectorAll("rect[data-plot]").OrderBy(b => Attribute(b, "x")).ToList();
            var pointers = bars.Select(b => b.GetAttribute("data-plot")!).ToList();
            Assert.True(bars.Count > 1, chart.GetAttribute("aria-label"));

            // Left to right, the bars show what the tables list, in the tables' order.
            Assert.Equal(cells.Where(pointers.Contains).Distinct(), pointers);

            // Every bar stands on the x axis and its height is its value on one scale.
            var axis = Attribute(bars[0], "y") + Attribute(bars[0], "height");
            var pixelsPerUnit = bars.Max(b => Attribute(b, "height")) / bars.Max(b => Attribute(b, "data-value"));
            foreach (var bar in bars)
            {
                Assert.Equal(axis, Attribute(bar, "y") + Attribute(bar, "height"), 0.11);
                Assert.Equal(Attribute(bar, "data-value") * pixelsPerUnit, Attribute(bar, "height"), 0.2);

                // Its value is written above it.
                var label = chart.QuerySelectorAll("text[data-json]").Single(t => t.GetAttribute("data-json") == bar.GetAttribute("data-plot"));
                Assert.InRange(Attribute(label, "x"), Attribute(bar, "x"), Attribute(bar, "x") + Attribute(bar, "width"));
                Assert.True(Attribute(label, "y") < Attribute(bar, "y"), $"{bar.GetAttribute("data-plot")}: label below the bar's top");
            }
        }
    }

    [Fact]
    public void Every_chart_and_table_says_it_was_measured_on_this_machine_at_the_time_in_bench_json()
    {
        var (_, page) = Render(scoresAreRelevance: true, simulated: false);

        var captions = page.QuerySelectorAll("svg").Select(s => s.ParentElement!.QuerySelector("figcaption"))
            .Concat(page.QuerySelectorAll("table").Select(t => t.QuerySelector("caption"))).ToList();
        Assert.Equal(10, captions.Count);
        foreach (var caption in captions)
        {
            Assert.NotNull(caption);
            Assert.Contains("Measured on this machine", caption.TextContent);
            Assert.NotNull(caption.QuerySelector("[data-json='/measured_at']"));
            Assert.NotNull(caption.QuerySelector("[data-json='/cores']"));
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void A_banner_says_so_first_exactly_when_bench_json_marks_the_run_simulated_or_the_model_not_relevance(bool scoresAreRelevance,
        bool simulated)
    {
        var (_, page) = Render(scoresAreRelevance, simulated);

        // The banners are the first thing under the heading, before any figure, and the only alerts.
        var banners = new List<IElement>();
        for (var next = page.QuerySelector("h1")!.NextElementSibling; next?.GetAttribute("role") == "alert"; next = next.NextElementSibling)
        {
            banners.Add(next);
        }

        Assert.Equal(banners, page.QuerySelectorAll("[role='alert']"));
        Assert.Equal(new[] { simulated ? "simulated" : null, scoresAreRelevance ? null : "not-relevance" }.OfType<string>(), banners.Select(b => b.Id));
        if (simulated)
        {
            Assert.Contains("simulated accelerators", page.QuerySelector("#simulated")!.TextContent);
        }

        if (!scoresAreRelevance)
        {
            Assert.Contains("Scores are not relevance", page.QuerySelector("#not-relevance")!.TextContent);
            Assert.Contains(DerivedTestCrossEncoder.Warning, page.QuerySelector("#not-relevance")!.TextContent);
        }
    }

    private static (JsonElement Bench, IDocument Page) Render(bool scoresAreRelevance, bool simulated)
    {
        var json = JsonSerializer.Serialize(Bench(scoresAreRelevance, simulated));
        var bench = JsonDocument.Parse(json).RootElement;
        return (bench, new HtmlParser().ParseDocument(BenchReport.Render(bench)));
    }

    /// <summary>bench.json as RerankBenchmark writes it; c4 above c16 and raw fp32 between them, so order by value is not order by scenario.</summary>
    private static Dictionary<string, object> Bench(bool scoresAreRelevance, bool simulated) => new()
    {
        ["baseline_p50_ms"] = 1874.2, ["baseline_p90_ms"] = 2011.5, ["baseline_p99_ms"] = 2049.8, ["baseline_pairs_per_s"] = 26.65,
        ["cluster_c1_p50_ms"] = 1187.4, ["cluster_c1_p90_ms"] = 1350.1, ["cluster_c1_p99_ms"] = 1410.6, ["cluster_c1_pairs_per_s"] = 41.65,
        ["cluster_c4_p50_ms"] = 4300.7, ["cluster_c4_p90_ms"] = 4702.3, ["cluster_c4_p99_ms"] = 4899.9, ["cluster_c4_pairs_per_s"] = 45.6,
        ["cluster_c16_p50_ms"] = 17020.3, ["cluster_c16_p90_ms"] = 18410.2, ["cluster_c16_p99_ms"] = 19122.5, ["cluster_c16_pairs_per_s"] = 44.85,
        ["int8_speedup"] = 1.58, ["int8_qps_raw"] = 1.371, ["int8_top5_agreement"] = 0.917, ["int8_spearman"] = 0.997,
        ["int8_top5_agreement_real"] = 0.94, ["int8_spearman_real"] = 0.996,
        ["int8_dynamic_speedup"] = 1.77, ["int8_dynamic_qps_raw"] = 1.536, ["int8_dynamic_top5_agreement"] = 0.842, ["int8_dynamic_spearman"] = 0.982,
        ["int8_dynamic_top5_agreement_real"] = 0.9, ["int8_dynamic_spearman_real"] = 0.981,
        ["baseline_qps"] = 0.533, ["cluster_qps_c1"] = 0.833, ["cluster_qps_c4"] = 0.912, ["cluster_qps_c16"] = 0.897, ["raw_ort_qps"] = 0.868,
        ["cluster_vs_raw_ort"] = 1.033, ["speedup_c16_vs_baseline"] = 1.683,
        ["agreement_queries_synthetic"] = 24, ["agreement_queries_real"] = 10,
        ["stage1_fraction_5k"] = 0.008, ["stage1_fraction_50k"] = 0.012, ["stage1_ms_5k"] = 9.4, ["stage1_ms_50k"] = 14.1,
        ["stage2_ms_5k"] = 1150.2, ["stage2_ms_50k"] = 1163.8, ["small_index_chunks"] = 5_000, ["large_index_chunks"] = 50_000, ["pairs_per_query"] = 50,
        ["formed_batches"] = 150, ["formed_mean_rows"] = 8.0, ["formed_padding_fraction"] = 0.091,
        ["raw_ort_gflops"] = 153.7, ["cluster_c16_gflops"] = 149.2, ["baseline_gflops"] = 96.4, ["peak_gflops_fma"] = 287.4, ["peak_vector_bits"] = 512,
        ["open_50_rate_qps"] = 0.267, ["open_50_baseline_p50_ms"] = 1901.3, ["open_50_baseline_p99_ms"] = 3920.4, ["open_50_cluster_p50_ms"] = 1212.9,
        ["open_50_cluster_p99_ms"] = 1530.2, ["open_50_p99_ratio"] = 0.39, ["open_80_rate_qps"] = 0.426, ["open_80_baseline_p50_ms"] = 3012.7,
        ["open_80_baseline_p99_ms"] = 7801.1, ["open_80_cluster_p50_ms"] = 1333.3, ["open_80_cluster_p99_ms"] = 2104.8, ["open_80_p99_ratio"] = 0.27,
        ["cores"] = 2, ["machine"] = "Debian GNU/Linux 13 (trixie) X64", ["measured_at"] = "2026-11-25T09:41:07Z", ["cluster_simulated"] = simulated,
        ["cross_encoder"] = scoresAreRelevance ? TrainedCrossEncoder.Name : DerivedTestCrossEncoder.Name, ["scores_are_relevance"] = scoresAreRelevance,
    };
}
