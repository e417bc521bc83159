using System.Text.RegularExpressions;

namespace RerankCluster.Training.ReferenceTexts;

/// <summary>
/// WordNet's synset glosses (<c>data.noun</c>, <c>data.verb</c>, <c>data.adj</c>, <c>data.adv</c> of
/// Debian's <c>wordnet-base</c>): the first lemma of a synset is the term, its gloss the answer. Lemmas with
/// more than one sense are left out: a query "bank" would otherwise have several right answers, all but one
/// judged wrong.
/// </summary>
public static partial class WordNetGlosses
{
    public static readonly string[] DataFiles = ["data.noun", "data.verb", "data.adj", "data.adv"];

    public static IReadOnlyList<ReferenceEntry> Load(string directory) =>
        Parse(DataFiles.Select(f => Path.Combine(directory, f)).Where(File.Exists).SelectMany(File.ReadLines));

    public static IReadOnlyList<ReferenceEntry> Parse(IEnumerable<string> dataLines)
    {
        var synsets = new List<(string Lemma, string Gloss)>();
        foreach (var line in dataLines)
        {
            // License header lines start with two spaces; a synset line is "offset lex type count lemma …| gloss".
            var bar = line.IndexOf(" | ", StringComparison.Ordinal);
            if (line.StartsWith("  ", StringComparison.Ordinal) || bar < 0)
            {
                continue;
            }

            var fields = line[..bar].Split(' ');
            if (fields.Length < 5)
            {
                continue;
            }

            var lemma = Marker().Replace(fields[4], "").Replace('_', ' ');
            var gloss = line[(bar + 3)..].Trim();
            if (lemma.Length > 0 && gloss.Length > 0)
            {
                synsets.Add((lemma, gloss));
            }
        }

        var senses = synsets.GroupBy(s => s.Lemma.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Count());
        return synsets
            .Where(s => senses[s.Lemma.ToLowerInvariant()] == 1)
            .Select(s => new ReferenceEntry("wordnet", s.Lemma.ToLowerInvariant(), s.Lemma, "", s.Gloss))
            .ToList();
    }

    // Adjective lemmas carry a syntactic marker such as "(a)" or "(p)".
    [GeneratedRegex(@"\([a-z]+\)$")]
    private static partial Regex Marker();
}
