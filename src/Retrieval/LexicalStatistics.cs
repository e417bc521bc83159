namespace RerankCluster.Retrieval;

/// <summary>
/// The corpus counts BM25 weighs a query's terms by (Lucene's collection and term statistics of the text field).
/// Each shard's own counts give each shard its own IDF, so its scores are not comparable with another
/// shard's; the counts of every shard summed are what one index over all of them would count, and scoring
/// every shard with the sum makes the shards' BM25 scores one scale (Elasticsearch's DFS query-then-fetch).
/// </summary>
/// <param name="MaxDocuments">Lucene's maxDoc (deleted chunks count until a merge drops them): what Lucene 4.8's BM25 divides by.</param>
/// <param name="Documents">Chunks with the field.</param>
/// <param name="Tokens">Sum of every chunk's token count (for the average length).</param>
/// <param name="Postings">Sum over terms of their document frequencies.</param>
/// <param name="Terms">The query's terms, as analysed, and their counts.</param>
public sealed record LexicalStatistics(
    long MaxDocuments, long Documents, long Tokens, long Postings, IReadOnlyDictionary<string, LexicalTermCounts> Terms)
{
    public static readonly LexicalStatistics Empty = new(0, 0, 0, 0, new Dictionary<string, LexicalTermCounts>());

    /// <summary>The counts of shards that together hold the corpus: what one index over all of it would count.</summary>
    public static LexicalStatistics Sum(IEnumerable<LexicalStatistics> shards)
    {
        var terms = new Dictionary<string, LexicalTermCounts>(StringComparer.Ordinal);
        long maxDocuments = 0, documents = 0, tokens = 0, postings = 0;
        foreach (var shard in shards)
        {
            maxDocuments += shard.MaxDocuments;
            documents += shard.Documents;
            tokens += shard.Tokens;
            postings += shard.Postings;
            foreach (var (term, counts) in shard.Terms)
            {
                terms[term] = terms.TryGetValue(term, out var sum) ? sum + counts : counts;
            }
        }

        return new LexicalStatistics(maxDocuments, documents, tokens, postings, terms);
    }
}

/// <param name="DocumentFrequency">Chunks that contain the term.</param>
/// <param name="TotalFrequency">Its occurrences over every chunk.</param>
public readonly record struct LexicalTermCounts(long DocumentFrequency, long TotalFrequency)
{
    public static LexicalTermCounts operator +(LexicalTermCounts a, LexicalTermCounts b) =>
        new(a.DocumentFrequency + b.DocumentFrequency, a.TotalFrequency + b.TotalFrequency);
}
