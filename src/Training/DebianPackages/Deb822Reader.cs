namespace RerankCluster.Training.DebianPackages;

/// <summary>
/// Reads deb822 stanzas (Debian's Packages and Translation files): "Field: value" lines, continuation
/// lines that start with a space or tab, stanzas separated by blank lines.
/// </summary>
public static class Deb822Reader
{
    public static IEnumerable<IReadOnlyDictionary<string, string>> Read(TextReader reader)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? field = null;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                if (fields.Count > 0)
                {
                    yield return fields;
                    fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                }

                field = null;
                continue;
            }

            if (line[0] is ' ' or '\t')
            {
                // A continuation without a field (a stray indented line) has nothing to extend.
                if (field is not null)
                {
                    fields[field] += "\n" + line;
                }

                continue;
            }

            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                field = null;
                continue;
            }

            field = line[..colon].Trim();
            fields[field] = line[(colon + 1)..].Trim();
        }

        if (fields.Count > 0)
        {
            yield return fields;
        }
    }
}
