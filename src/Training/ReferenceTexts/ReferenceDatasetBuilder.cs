using System.Security.Cryptography;
using System.Text;
using RerankCluster.Evaluation;
using RerankCluster.Training.Data;

namespace RerankCluster.Training.ReferenceTexts;

/// <summary>
/// Turns one source's <see cref="ReferenceEntry"/>s into a BEIR dataset. Each entry asks its question in
/// one of several forms (the bare term, "what is …", "what does … mean", a heading with its page), picked by
/// a stable hash so a reranker never learns that one phrasing means one source. Terms that occur twice and
/// passages that occur twice are dropped (a judged-irrelevant twin of the answer would teach noise), and a
/// fixed share of entries, by a hash of the key alone, is held out as the test split: a term that two
/// dictionaries define lands on the same side in both, so neither trains on the other's test answer.
/// </summary>
public static class ReferenceDatasetBuilder
{
    public sealed record Settings(double TestFraction = 0.05, int MinimumPassageWords = 5, int? MaximumEntries = null);

    public sealed record Report(string Source, int EntriesRead, int Kept, int Train, int Test, int DroppedShort, int DroppedDuplicate);

    public static Report Build(IReadOnlyList<ReferenceEntry> entries, string output, Settings settings)
    {
        var source = entries.Count == 0 ? "empty" : entries[0].Source;
        var termCounts = entries.GroupBy(e => Normalise(e.Term)).ToDictionary(g => g.Key, g => g.Count());
        var passages = new HashSet<string>(StringComparer.Ordinal);
        int droppedShort = 0, droppedDuplicate = 0;
        var kept = new List<ReferenceEntry>();
        foreach (var entry in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (WordCount(entry.Text) < settings.MinimumPassageWords)
            {
                droppedShort++;
            }
            else if (termCounts[Normalise(entry.Term)] > 1 && entry.Context.Length == 0 || !passages.Add(Normalise(entry.Text)))
            {
                droppedDuplicate++;
            }
            else
            {
                kept.Add(entry);
            }
        }

        if (settings.MaximumEntries is { } maximum)
        {
            // A sample spread over the whole alphabet, the same on every run.
            kept = kept.OrderBy(e => Hash(e.Source + "\n" + e.Key), StringComparer.Ordinal).Take(maximum).OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        }

        var ids = kept.Select((e, i) => (Entry: e, Id: $"{source}-{i}")).ToList();
        var queries = ids.Select(x => new BeirQuery("q-" + x.Id, Query(x.Entry))).ToList();
        var corpus = ids.Select(x => new CorpusRecord(x.Id, "", x.Entry.Text, null)).ToList();
        var test = ids.Where(x => HeldOutSplit.IsHeldOut(x.Entry.Key, settings.TestFraction)).ToList();
        var train = ids.Except(test).ToList();
        BeirDatasetWriter.Write(output, corpus, queries, new Dictionary<string, IEnumerable<(string, string)>>
        {
            ["train"] = train.Select(x => ("q-" + x.Id, x.Id)),
            ["test"] = test.Select(x => ("q-" + x.Id, x.Id)),
        });
        return new Report(source, entries.Count, kept.Count, train.Count, test.Count, droppedShort, droppedDuplicate);
    }

    /// <summary>The question an entry answers, in a form chosen by a stable hash of its key.</summary>
    public static string Query(ReferenceEntry entry)
    {
        var form = SHA256.HashData(Encoding.UTF8.GetBytes(entry.Key))[0] % 4;
        if (entry.Context.Length > 0 || entry.Source.EndsWith("docs", StringComparison.Ordinal))
        {
            var questionLike = entry.Term.EndsWith('?') || entry.Term.Split(' ').Length >= 4;
            return questionLike || entry.Context.Length == 0 || form < 2 ? entry.Term : $"{entry.Term} ({entry.Context})";
        }

        return form switch
        {
            0 => entry.Term,
            1 => $"what is {entry.Term}",
            2 => $"what does {entry.Term} mean",
            _ => $"{entry.Term} definition",
        };
    }

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static int WordCount(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    private static string Normalise(string text) =>
        string.Join(' ', text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
