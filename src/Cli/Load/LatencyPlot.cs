using System.Globalization;
using System.Text;
using RerankCluster.Evaluation;

namespace RerankCluster.Cli.Load;

/// <summary>
/// Latency over time as an SVG a person reads at a glance: every request as a dot (red when it
/// failed), the per-second p50 and p99 as lines, and the achieved rate in the title.
/// </summary>
public static class LatencyPlot
{
    private const int Width = 960;
    private const int Height = 420;
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 40;
    private const int Bottom = 50;

    public static string Render(IReadOnlyList<LoadSample> samples, string title)
    {
        var culture = CultureInfo.InvariantCulture;
        var end = Math.Max(1, samples.Count == 0 ? 1 : samples.Max(s => s.StartSeconds + s.LatencyMs / 1000));
        var yMax = NiceCeiling(samples.Count == 0 ? 1 : Math.Max(1, LatencySummary.Of(samples.Select(s => s.LatencyMs).ToList()).Max));
        double X(double seconds) => Left + seconds / end * (Width - Left - Right);
        double Y(double ms) => Height - Bottom - Math.Min(ms, yMax) / yMax * (Height - Top - Bottom);

        var svg = new StringBuilder();
        svg.Append(culture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(culture, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n");
        for (var i = 0; i <= 5; i++)
        {
            var ms = yMax * i / 5;
            svg.Append(culture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Y(ms):F1}\" y2=\"{Y(ms):F1}\" stroke=\"#e5e5e5\"/>");
            svg.Append(culture, $"<text x=\"{Left - 6}\" y=\"{Y(ms) + 4:F1}\" text-anchor=\"end\">{ms:F0}</text>\n");
            var seconds = end * i / 5;
            svg.Append(culture, $"<text x=\"{X(seconds):F1}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{seconds:F0}</text>\n");
        }

        svg.Append(culture, $"<text x=\"{Width / 2}\" y=\"{Height - 10}\" text-anchor=\"middle\">time since start (s)</text>\n");
        svg.Append(culture, $"<text x=\"16\" y=\"{Height / 2}\" transform=\"rotate(-90 16 {Height / 2})\" text-anchor=\"middle\">latency (ms)</text>\n");
        foreach (var sample in samples)
        {
            var colour = sample.Status is >= 200 and < 300 ? "#4a7ab8" : "#d62728";
            svg.Append(culture, $"<circle cx=\"{X(sample.StartSeconds):F1}\" cy=\"{Y(sample.LatencyMs):F1}\" r=\"1.6\" fill=\"{colour}\" fill-opacity=\"0.45\"/>\n");
        }

        var perSecond = samples.GroupBy(s => (int)s.StartSeconds).OrderBy(g => g.Key)
            .Select(g => (Second: g.Key + 0.5, Summary: LatencySummary.Of(g.Select(s => s.LatencyMs).ToList()))).ToList();
        foreach (var (name, colour, pick) in new (string, string, Func<LatencySummary, double>)[]
                 {
                     ("p50", "#2ca02c", s => s.P50),
                     ("p99", "#ff7f0e", s => s.P99),
                 })
        {
            if (perSecond.Count > 1)
            {
                var points = string.Join(' ', perSecond.Select(p => string.Create(culture, $"{X(p.Second):F1},{Y(pick(p.Summary)):F1}")));
                svg.Append(culture, $"<polyline points=\"{points}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>\n");
            }
        }

        svg.Append(culture, $"<text x=\"{Width - Right - 150}\" y=\"{Top + 12}\" fill=\"#2ca02c\">— p50 per second</text>");
        svg.Append(culture, $"<text x=\"{Width - Right - 150}\" y=\"{Top + 28}\" fill=\"#ff7f0e\">— p99 per second</text>");
        svg.Append(culture, $"<text x=\"{Width - Right - 150}\" y=\"{Top + 44}\" fill=\"#d62728\">● failed request</text>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static double NiceCeiling(double value)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        return new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(v => v >= value);
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
