using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RerankCluster.Evaluation.Reports;

/// <summary>
/// What the self-contained HTML reports share (eval's report.html, bench's bench.html): the page frame and
/// style (inline, no script, nothing fetched, so a page opens from disk), banners, and numbers read from
/// the report's JSON that carry their JSON pointer (<c>data-json</c>) and exact value (<c>data-value</c>),
/// so a page and its JSON cannot disagree unnoticed.
/// </summary>
public static class ReportPage
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    /// <summary>A page up to its first content, the <c>main</c> element opened.</summary>
    public static StringBuilder Begin(string title) =>
        new StringBuilder().Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Text(title)).Append("</title>\n")
            .Append("<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n<main>\n");

    public static string End(StringBuilder page) => page.Append("</main>\n</body>\n</html>\n").ToString();

    /// <summary>A warning that must be read before any figure: <paramref name="text"/> is escaped here.</summary>
    public static StringBuilder Alert(StringBuilder page, string id, string heading, string text) =>
        page.Append("<div class=\"alert\" role=\"alert\" id=\"").Append(id).Append("\"><strong>").Append(Text(heading)).Append("</strong> ")
            .Append(Text(text)).Append("</div>\n");

    /// <summary>A number from the JSON, shown in <paramref name="format"/> and tagged with where it came from.</summary>
    public static string Number(JsonElement root, string pointer, string format, string tag = "span")
    {
        var value = Resolve(root, pointer);
        return $"<{tag} class=\"num\" data-json=\"{Text(pointer)}\" data-value=\"{value.GetRawText()}\">{value.GetDouble().ToString(format, Culture)}</{tag}>";
    }

    /// <summary>The value at a JSON pointer (RFC 6901).</summary>
    public static JsonElement Resolve(JsonElement root, string pointer)
    {
        var value = root;
        foreach (var token in pointer.Split('/').Skip(1).Select(t => t.Replace("~1", "/").Replace("~0", "~")))
        {
            value = value.ValueKind == JsonValueKind.Array ? value[int.Parse(token, Culture)] : value.GetProperty(token);
        }

        return value;
    }

    public static string Text(string text) => SvgChart.Escape(text);

    private const string Style = """
        :root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.45; color: #1d1d1f; }
        body { margin: 0; background: #f6f6f4; }
        main { max-width: 1120px; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
        h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
        .alert { background: #fff1e0; border: 3px solid #b45309; border-radius: 6px; padding: .8rem 1rem; margin: .5rem 0; font-size: 1.05rem; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
        .facts dt { font-weight: 600; } .facts dd { margin: 0; overflow-wrap: anywhere; }
        table { border-collapse: collapse; background: white; }
        caption, figcaption { text-align: left; color: #555; font-size: .9rem; padding: .2rem 0; }
        th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: left; vertical-align: top; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .scroll { overflow-x: auto; }
        .charts { display: flex; flex-wrap: wrap; gap: 1rem; }
        figure { margin: 0; }
        .charts figure { flex: 1 1 420px; }
        .legend span { margin-right: 1.5rem; font-weight: 600; }
        svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
        details { margin-top: 1rem; }
        @media (max-width: 640px) { main { padding: .5rem; } .facts { grid-template-columns: 1fr; } th, td { padding: .2rem .3rem; } }

        """;
}
