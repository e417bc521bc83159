using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace RerankCluster.Evaluation.Reports;

/// <summary>
/// The frame every SVG chart of the reports draws in (load's latency plot, eval's curves and histogram,
/// bench's bars): a title, linear axes from 0 to the data bounds, grid lines with tick labels and axis titles. Callers add
/// their marks in data coordinates through <see cref="X"/> and <see cref="Y"/>; the text stays invariant-culture.
/// </summary>
public sealed class SvgChart
{
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 40;
    private const int Bottom = 50;
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    private readonly StringBuilder _svg = new();
    private readonly int _width;
    private readonly int _height;
    private readonly double _xMax;
    private readonly double _yMax;
    private int _legendEntries;

    /// <param name="xMax">Data value at the right edge (the left edge is 0).</param>
    /// <param name="yMax">Data value at the top (the bottom is 0); larger values are drawn at the top.</param>
    public SvgChart(int width, int height, double xMax, double yMax, string title, string xTitle, string yTitle)
    {
        _width = width;
        _height = height;
        _xMax = xMax;
        _yMax = yMax;
        // viewBox lets a page scale the chart down to a narrow screen; width and height keep a file's own size.
        Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" ");
        Append($"font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"{Escape(title)}\">\n");
        Append($"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        Append($"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n");
        Append($"<text x=\"{width / 2}\" y=\"{height - 10}\" text-anchor=\"middle\">{Escape(xTitle)}</text>\n");
        Append($"<text x=\"16\" y=\"{height / 2}\" transform=\"rotate(-90 16 {height / 2})\" text-anchor=\"middle\">{Escape(yTitle)}</text>\n");
    }

    /// <summary>Pixels across the plot area for a data value.</summary>
    public double X(double x) => Left + x / _xMax * (_width - Left - Right);

    /// <summary>Pixels down for a data value; values above the axis maximum stay on its top edge.</summary>
    public double Y(double y) => _height - Bottom - Math.Min(y, _yMax) / _yMax * (_height - Top - Bottom);

    /// <summary>Pixel width of a data interval along the x axis.</summary>
    public double Width(double dx) => dx / _xMax * (_width - Left - Right);

    /// <summary>Horizontal grid lines at <paramref name="steps"/> equal divisions of the y axis, labelled on the left.</summary>
    public SvgChart YGrid(int steps, string format)
    {
        for (var i = 0; i <= steps; i++)
        {
            var value = _yMax * i / steps;
            Append($"<line x1=\"{Left}\" x2=\"{_width - Right}\" y1=\"{Y(value):F1}\" y2=\"{Y(value):F1}\" stroke=\"#e5e5e5\"/>");
            Append($"<text x=\"{Left - 6}\" y=\"{Y(value) + 4:F1}\" text-anchor=\"end\">{value.ToString(format, Culture)}</text>\n");
        }

        return this;
    }

    /// <summary>Labels under the x axis at data positions.</summary>
    public SvgChart XTicks(IEnumerable<(double X, string Label)> ticks)
    {
        foreach (var (x, label) in ticks)
        {
            Append($"<text x=\"{X(x):F1}\" y=\"{_height - Bottom + 18}\" text-anchor=\"middle\">{Escape(label)}</text>\n");
        }

        return this;
    }

    /// <summary>One more line of the legend, top right.</summary>
    public SvgChart Legend(string text, string colour)
    {
        Append($"<text x=\"{_width - Right - 150}\" y=\"{Top + 12 + 16 * _legendEntries}\" fill=\"{colour}\">{Escape(text)}</text>\n");
        _legendEntries++;
        return this;
    }

    /// <summary>A line through data points (none drawn for fewer than two).</summary>
    public SvgChart Line(IReadOnlyList<(double X, double Y)> points, string colour, string? dash = null)
    {
        if (points.Count > 1)
        {
            var path = string.Join(' ', points.Select(p => string.Create(Culture, $"{X(p.X):F1},{Y(p.Y):F1}")));
            Append($"<polyline points=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{(dash is null ? "" : $" stroke-dasharray=\"{dash}\"")}/>\n");
        }

        return this;
    }

    /// <summary>
    /// A bar from the x axis up to a value read from a report's JSON, labelled above with that value: the bar
    /// carries the value's JSON pointer in <c>data-plot</c>, the label in <c>data-json</c>, both the exact value in <c>data-value</c>.
    /// </summary>
    public SvgChart Bar(double x, double width, string pointer, JsonElement value, string colour, string label, string tooltip)
    {
        var top = Y(value.GetDouble());
        Append($"<rect x=\"{X(x):F1}\" y=\"{top:F1}\" width=\"{Width(width):F1}\" height=\"{Y(0) - top:F1}\" ")
            .Append($"fill=\"{colour}\" data-plot=\"{pointer}\" data-value=\"{value.GetRawText()}\"><title>{Escape(tooltip)}</title></rect>\n")
            .Append($"<text x=\"{X(x + width / 2):F1}\" y=\"{top - 4:F1}\" text-anchor=\"middle\" data-json=\"{pointer}\" data-value=\"{value.GetRawText()}\">")
            .Append($"{Escape(label)}</text>\n");
        return this;
    }

    /// <summary>Any other mark, formatted in the invariant culture; text in it must already be escaped.</summary>
    public SvgChart Append(FormattableString element)
    {
        _svg.Append(element.ToString(Culture));
        return this;
    }

    public string Render() => _svg + "</svg>\n";

    /// <summary>The smallest of 1, 2, 2.5, 5 or 10 times a power of ten at or above the value: a round axis maximum.</summary>
    public static double NiceCeiling(double value)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        return new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(v => v >= value);
    }

    /// <summary>Text for SVG or HTML content and attribute values.</summary>
    public static string Escape(string text) => WebUtility.HtmlEncode(text);
}
