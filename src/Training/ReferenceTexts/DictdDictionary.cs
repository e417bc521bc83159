using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace RerankCluster.Training.ReferenceTexts;

/// <summary>
/// A dictd dictionary as Debian's <c>dict-*</c> packages install it (<c>NAME.index</c> of
/// "headword TAB base64 offset TAB base64 length" and a dictzip'd <c>NAME.dict.dz</c>, which is gzip), read
/// into entries whose text is the definition with dictd's markup taken out: the headword lines, the
/// <c>&lt;domain&gt;</c> tags, <c>{cross references}</c> braces, bracketed citations and the revision date.
/// </summary>
public static partial class DictdDictionary
{
    public static IReadOnlyList<ReferenceEntry> Load(string source, string indexPath, string dictPath)
    {
        byte[] body;
        using (var file = File.OpenRead(dictPath))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var buffer = new MemoryStream())
        {
            gzip.CopyTo(buffer);
            body = buffer.ToArray();
        }

        return Parse(source, File.ReadLines(indexPath), body);
    }

    public static IReadOnlyList<ReferenceEntry> Parse(string source, IEnumerable<string> indexLines, byte[] body)
    {
        // Several headwords (aliases, case variants) point at one definition: keep the first of each.
        var seen = new HashSet<(long, long)>();
        var entries = new List<ReferenceEntry>();
        foreach (var line in indexLines)
        {
            var fields = line.Split('\t');
            if (fields.Length < 3 || fields[0].StartsWith("00-database", StringComparison.Ordinal) || fields[0].StartsWith("00database", StringComparison.Ordinal))
            {
                continue;
            }

            long offset = Base64Number(fields[1]), length = Base64Number(fields[2]);
            if (offset < 0 || length <= 0 || offset + length > body.Length || !seen.Add((offset, length)))
            {
                continue;
            }

            var raw = Encoding.UTF8.GetString(body, (int)offset, (int)length);
            var (term, text) = Clean(raw);
            if (term.Length > 0 && text.Length > 0)
            {
                entries.Add(new ReferenceEntry(source, term.ToLowerInvariant(), term, "", text));
            }
        }

        return entries;
    }

    /// <summary>The headword (first line) and the definition as one paragraph of plain text.</summary>
    public static (string Term, string Text) Clean(string raw)
    {
        var lines = raw.Replace("\r", "").Split('\n');
        var term = lines[0].Trim();
        // The definition starts at the first indented line; unindented lines before it are aliases.
        var body = string.Join('\n', lines.Skip(1).SkipWhile(l => l.Length > 0 && !char.IsWhiteSpace(l[0])));
        var text = Date().Replace(body, " ");
        text = Citation().Replace(text, " ");
        text = Domain().Replace(text, " ");
        text = text.Replace("{", "").Replace("}", "");
        text = Spaces().Replace(text, " ").Trim();
        return (term, text);
    }

    private static long Base64Number(string digits)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        long value = 0;
        foreach (var c in digits.Trim())
        {
            var digit = alphabet.IndexOf(c);
            if (digit < 0)
            {
                return -1;
            }

            value = value * 64 + digit;
        }

        return value;
    }

    [GeneratedRegex(@"\(\d{4}-\d{2}-\d{2}\)")]
    private static partial Regex Date();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Citation();

    [GeneratedRegex(@"<[a-z][a-z, ]*>")]
    private static partial Regex Domain();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
