using System.Globalization;
using RerankCluster.Evaluation.Reports;
using RerankCluster.Evaluation;

namespace RerankCluster.Cli.Load;

/// <summary>
/// Latency over time as an SVG a person reads at a glance: every request as a dot (red when it
/// failed), the per-second p50 and p99 as lines, and the achieved rate in the title.
/// </summary>
public static class LatencyPlot
{
    public static string Render(IReadOnlyList<LoadSample> samples, string title)
    {
        var end = Math.Max(1, samples.Count == 0 ? 1 : samples.Max(s => s.StartSeconds + s.LatencyMs / 1000));
        var yMax = SvgChart.NiceCeiling(samples.Count == 0 ? 1 : Math.Max(1, LatencySummary.Of(samples.Select(s => s.LatencyMs).ToList()).Max));
        var chart = new SvgChart(960, 420, end, yMax, title, "time since start (s)", "latency (ms)")
            .YGrid(5, "F0")
            .XTicks(Enumerable.Range(0, 6).Select(i => (end * i / 5, (end * i / 5).ToString("F0", CultureInfo.InvariantCulture))));
        foreach (var sample in samples)
        {
            var colour = sample.Status is >= 200 and < 300 ? "#4a7ab8" : "#d62728";
            chart.Append($"<circle cx=\"{chart.X(sample.StartSeconds):F1}\" cy=\"{chart.Y(sample.LatencyMs):F1}\" r=\"1.6\" fill=\"{colour}\" fill-opacity=\"0.45\"/>\n");
        }

        var perSecond = samples.GroupBy(s => (int)s.StartSeconds).OrderBy(g => g.Key)
            .Select(g => (Second: g.Key + 0.5, Summary: LatencySummary.Of(g.Select(s => s.LatencyMs).ToList()))).ToList();
        return chart
            .Line(perSecond.Select(p => (p.Second, p.Summary.P50)).ToList(), "#2ca02c")
            .Line(perSecond.Select(p => (p.Second, p.Summary.P99)).ToList(), "#ff7f0e")
            .Legend("— p50 per second", "#2ca02c")
            .Legend("— p99 per second", "#ff7f0e")
            .Legend("● failed request", "#d62728")
            .Render();
    }
}
