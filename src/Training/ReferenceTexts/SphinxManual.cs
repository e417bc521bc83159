using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace RerankCluster.Training.ReferenceTexts;

/// <summary>
/// The sections of an HTML manual built by Sphinx (what Debian's <c>*-doc</c> packages such as
/// <c>python3.11-doc</c> install): each <c>&lt;section&gt;</c> with a heading becomes an entry whose text is
/// the section's own prose (its nested sections are entries of their own), cut to a passage's length.
/// </summary>
public static class SphinxManual
{
    /// <param name="ExcludedFolders">Top-level folders of the manual to leave out (e.g. <c>man</c>, where a manual renders its man pages).</param>
    public sealed record Settings(int MinimumWords = 20, int MaximumWords = 220, IReadOnlyList<string>? ExcludedFolders = null);

    public static IReadOnlyList<ReferenceEntry> Load(string source, string directory, Settings settings)
    {
        var parser = new HtmlParser();
        var entries = new List<ReferenceEntry>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.html", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(directory, path).Replace('\\', '/');
            if (relative.StartsWith('_') || relative.Contains("/_", StringComparison.Ordinal))
            {
                continue; // Sphinx's generated pages (sources, static assets, indexes)
            }

            if (settings.ExcludedFolders?.Any(folder => relative.StartsWith(folder + "/", StringComparison.Ordinal)) == true)
            {
                continue;
            }

            using var stream = File.OpenRead(path);
            entries.AddRange(Parse(source, relative, parser.ParseDocument(stream), settings));
        }

        return entries;
    }

    public static IEnumerable<ReferenceEntry> Parse(string source, string page, IDocument document, Settings settings)
    {
        var sections = document.QuerySelectorAll("section[id], div.section[id]").ToList();
        var title = sections.Count == 0 ? "" : Heading(sections[0]);
        foreach (var section in sections)
        {
            var heading = Heading(section);
            if (heading.Length == 0)
            {
                continue;
            }

            var words = section.Children
                .Where(child => child.LocalName is "p" or "dl" or "ul" or "ol" or "blockquote" or "div" && !IsSection(child))
                .SelectMany(child => child.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                .Take(settings.MaximumWords)
                .ToList();
            if (words.Count >= settings.MinimumWords)
            {
                var context = section == sections[0] ? "" : title;
                yield return new ReferenceEntry(source, $"{page}#{section.Id}", heading, context, string.Join(' ', words));
            }
        }
    }

    private static bool IsSection(IElement element) => element.LocalName == "section" || element.ClassList.Contains("section");

    /// <summary>The section's own heading text, without Sphinx's "¶" permalink.</summary>
    private static string Heading(IElement section)
    {
        var heading = section.Children.FirstOrDefault(c => c.LocalName is "h1" or "h2" or "h3" or "h4" or "h5" or "h6");
        if (heading is null)
        {
            return "";
        }

        var text = string.Concat(heading.ChildNodes.Where(n => n is not IElement { LocalName: "a" } link || !link.ClassList.Contains("headerlink"))
            .Select(n => n.TextContent));
        return string.Join(' ', text.Replace("¶", "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }
}
