using System.Text.RegularExpressions;

namespace RerankCluster.Training.DebianPackages;

/// <summary>
/// Joins Packages stanzas (name, source, summary) with Translation stanzas (the long description,
/// which apt keeps apart from the Packages index) into packages that have both a summary and prose.
/// </summary>
public static partial class DebianPackageIndex
{
    public static IReadOnlyList<DebianPackage> Load(IEnumerable<TextReader> indexes)
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var descriptions = new Dictionary<string, (string Summary, string Long)>(StringComparer.Ordinal);
        foreach (var reader in indexes)
        {
            foreach (var stanza in Deb822Reader.Read(reader))
            {
                if (!stanza.TryGetValue("Package", out var name) || name.Length == 0)
                {
                    continue;
                }

                if (stanza.TryGetValue("Source", out var source))
                {
                    sources[name] = SourceVersion().Replace(source, "").Trim();
                }

                var field = stanza.TryGetValue("Description-en", out var translated) ? translated
                    : stanza.TryGetValue("Description", out var plain) ? plain : null;
                if (field is null)
                {
                    continue;
                }

                var (summary, longDescription) = DebianDescription.Split(field);
                // The Packages index often carries only the summary; never let it hide a translation's prose.
                if (longDescription.Length > 0 || !descriptions.ContainsKey(name))
                {
                    descriptions[name] = (summary, longDescription);
                }
            }
        }

        return descriptions
            .Where(d => d.Value.Summary.Length > 0 && d.Value.Long.Length > 0)
            .Select(d => new DebianPackage(d.Key, sources.GetValueOrDefault(d.Key, d.Key), d.Value.Summary, d.Value.Long))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
    }

    [GeneratedRegex(@"\s*\(.*\)\s*$")]
    private static partial Regex SourceVersion();
}
