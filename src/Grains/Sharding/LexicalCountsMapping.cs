using RerankCluster.Grains.Interfaces;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Sharding;

/// <summary>BM25 counts between Retrieval's form and the wire's (Retrieval knows nothing of Orleans).</summary>
public static class LexicalCountsMapping
{
    public static LexicalCounts ToCounts(LexicalStatistics statistics)
    {
        var terms = statistics.Terms.ToArray();
        return new LexicalCounts(statistics.MaxDocuments, statistics.Documents, statistics.Tokens, statistics.Postings,
            terms.Select(t => t.Key).ToArray(), terms.Select(t => t.Value.DocumentFrequency).ToArray(),
            terms.Select(t => t.Value.TotalFrequency).ToArray());
    }

    public static LexicalStatistics ToStatistics(LexicalCounts counts) => new(counts.MaxDocuments, counts.Documents, counts.Tokens, counts.Postings,
        counts.Terms.Select((term, i) => (term, new LexicalTermCounts(counts.DocumentFrequencies[i], counts.TotalFrequencies[i])))
            .ToDictionary(t => t.term, t => t.Item2, StringComparer.Ordinal));
}
