using System.Globalization;

namespace RerankCluster.Evaluation;

/// <summary>Writes runs in TREC format: <c>qid Q0 docid rank score tag</c>, one line per retrieved document.</summary>
public static class TrecRun
{
    public static void Write(string path, IEnumerable<(string QueryId, IReadOnlyList<(string DocumentId, double Score)> Ranked)> run, string tag)
    {
        using var writer = new StreamWriter(path);
        foreach (var (queryId, ranked) in run)
        {
            for (var i = 0; i < ranked.Count; i++)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{queryId} Q0 {ranked[i].DocumentId} {i + 1} {ranked[i].Score:R} {tag}"));
            }
        }
    }

    /// <summary>
    /// Collapses a ranked list of chunks to documents: a document takes the rank and score of its best
    /// chunk (the first one met, as the list is sorted), like Cohere's max-over-chunks.
    /// </summary>
    public static List<(string DocumentId, double Score)> CollapseToDocuments(IEnumerable<(string DocumentId, double Score)> rankedChunks)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return rankedChunks.Where(chunk => seen.Add(chunk.DocumentId)).ToList();
    }
}
