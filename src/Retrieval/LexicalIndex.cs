using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace RerankCluster.Retrieval;

/// <summary>
/// BM25 over one shard's chunk texts: an in-memory Lucene index (EnglishAnalyzer, BM25Similarity with
/// k1 = 1.2, b = 0.75), one Lucene document per chunk, a document's chunks replaced or deleted as a whole.
/// Safe for searches concurrent with writes: IndexWriter and SearcherManager are thread-safe, and a search
/// reopens the near-real-time reader only when a write came since the last one, so it sees every write
/// that returned before it and searches between writes cost no reopen.
/// </summary>
public sealed class LexicalIndex : IDisposable
{
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;
    private const string DocumentField = "document";
    private const string ChunkField = "chunk";
    private const string TextField = "text";
    private const string KeyField = "key";

    /// <summary>BooleanQuery's own limit; longer queries keep their first distinct terms.</summary>
    public const int MaxQueryTerms = 1024;

    private static readonly Similarity Bm25 = new BM25Similarity();
    private static readonly ISet<string> KeyFields = new HashSet<string> { DocumentField, ChunkField };

    /// <summary>By score, ties by <see cref="ChunkKey"/>, so that every shard cuts its top k as the merge orders.</summary>
    private static readonly Sort ScoreThenKey = new(SortField.FIELD_SCORE, new SortField(KeyField, SortFieldType.STRING));

    private readonly RAMDirectory _directory = new();
    private readonly Analyzer _analyzer = new EnglishAnalyzer(Version);
    private readonly IndexWriter _writer;
    private readonly SearcherManager _searchers;
    private int _changed;

    public LexicalIndex()
    {
        // BM25 at index time too: it encodes each chunk's length into the norm the scores read.
        _writer = new IndexWriter(_directory, new IndexWriterConfig(Version, _analyzer) { Similarity = Bm25 });
        _searchers = new SearcherManager(_writer, true, new Bm25Searchers());
    }

    /// <summary>Adds a document's chunks; the caller knows the document is not in the index (a fresh load).</summary>
    public void Add(string documentId, IEnumerable<(int ChunkIndex, string Text)> chunks)
    {
        _writer.AddDocuments(Documents(documentId, chunks));
        Interlocked.Exchange(ref _changed, 1);
    }

    /// <summary>Replaces every chunk of a document at once: a search sees the old chunks or the new, never a mix.</summary>
    public void Replace(string documentId, IEnumerable<(int ChunkIndex, string Text)> chunks)
    {
        _writer.UpdateDocuments(new Term(DocumentField, documentId), Documents(documentId, chunks));
        Interlocked.Exchange(ref _changed, 1);
    }

    public void Remove(string documentId)
    {
        _writer.DeleteDocuments(new Term(DocumentField, documentId));
        Interlocked.Exchange(ref _changed, 1);
    }

    public void Clear()
    {
        _writer.DeleteAll();
        Interlocked.Exchange(ref _changed, 1);
    }

    /// <summary>This index's counts for the terms of <paramref name="query"/>, to be summed over shards.</summary>
    public LexicalStatistics Statistics(string query) => WithSearcher(searcher =>
    {
        var collection = searcher.CollectionStatistics(TextField);
        var reader = searcher.IndexReader;
        var terms = Terms(query).ToDictionary(t => t.Term, t =>
        {
            var term = new Term(TextField, t.Term);
            return new LexicalTermCounts(reader.DocFreq(term), reader.TotalTermFreq(term));
        }, StringComparer.Ordinal);
        // An empty index has no statistics for the field: Lucene reports -1 where it does not know.
        return new LexicalStatistics(collection.MaxDoc, Math.Max(0, collection.DocCount), Math.Max(0, collection.SumTotalTermFreq),
            Math.Max(0, collection.SumDocFreq), terms);
    });

    /// <summary>
    /// The <paramref name="k"/> best chunks for <paramref name="query"/> (its analysed terms, OR-ed; a term
    /// repeated in the query weighs that many times), best first. With <paramref name="statistics"/> (every
    /// shard's counts summed) the scores are the ones one index over the whole corpus would give. With
    /// <paramref name="documents"/>, only their chunks, filtered before the top k.
    /// </summary>
    public IReadOnlyList<((string DocumentId, int ChunkIndex) Key, float Score)> Search(string query, int k, LexicalStatistics? statistics = null,
        IReadOnlySet<string>? documents = null)
    {
        var terms = Terms(query).ToList();
        if (terms.Count == 0 || k <= 0 || documents is { Count: 0 })
        {
            return [];
        }

        var filter = documents is null ? null : new FieldCacheTermsFilter(DocumentField, documents.ToArray());

        var boolean = new BooleanQuery();
        foreach (var (term, count) in terms)
        {
            boolean.Add(new TermQuery(new Term(TextField, term)) { Boost = count }, Occur.SHOULD);
        }

        return WithSearcher(searcher =>
        {
            var scoring = statistics is null ? searcher : new SharedStatisticsSearcher(searcher.IndexReader, statistics);
            return scoring.Search(boolean, filter, k, ScoreThenKey, true, false).ScoreDocs.Select(hit =>
            {
                var document = searcher.Doc(hit.Doc, KeyFields);
                return ((document.Get(DocumentField), document.GetField(ChunkField).GetInt32Value()!.Value), hit.Score);
            }).ToList();
        });
    }

    public void Dispose()
    {
        _searchers.Dispose();
        _writer.Dispose();
        _analyzer.Dispose();
        _directory.Dispose();
    }

    private T WithSearcher<T>(Func<IndexSearcher, T> read)
    {
        if (Interlocked.Exchange(ref _changed, 0) == 1)
        {
            // A write landing after the flag was cleared sets it again, so the next search reopens for it.
            _searchers.MaybeRefreshBlocking();
        }

        var searcher = _searchers.Acquire();
        try
        {
            return read(searcher);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>The query's distinct analysed terms in first-seen order, each with how often it occurs.</summary>
    private IEnumerable<(string Term, int Count)> Terms(string query)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        using var tokens = _analyzer.GetTokenStream(TextField, query);
        var text = tokens.AddAttribute<ICharTermAttribute>();
        tokens.Reset();
        while (tokens.IncrementToken())
        {
            var term = text.ToString();
            if (counts.TryGetValue(term, out var seen))
            {
                counts[term] = seen + 1;
            }
            else if (order.Count < MaxQueryTerms)
            {
                counts[term] = 1;
                order.Add(term);
            }
        }

        tokens.End();
        return order.Select(term => (term, counts[term]));
    }

    private static IEnumerable<IEnumerable<IIndexableField>> Documents(string documentId, IEnumerable<(int ChunkIndex, string Text)> chunks) =>
        chunks.Select(chunk => (IEnumerable<IIndexableField>)new Document
        {
            new StringField(DocumentField, documentId, Field.Store.YES),
            new StoredField(ChunkField, chunk.ChunkIndex),
            new TextField(TextField, chunk.Text, Field.Store.NO),
            new SortedDocValuesField(KeyField, new BytesRef(ChunkKey.Of(documentId, chunk.ChunkIndex))),
        }).ToList();

    private sealed class Bm25Searchers : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = Bm25 };
    }

    /// <summary>A searcher whose BM25 weighs terms by the corpus-wide counts instead of this index's own.</summary>
    private sealed class SharedStatisticsSearcher : IndexSearcher
    {
        private readonly LexicalStatistics _statistics;

        public SharedStatisticsSearcher(IndexReader reader, LexicalStatistics statistics) : base(reader)
        {
            _statistics = statistics;
            Similarity = Bm25;
        }

        public override TermStatistics TermStatistics(Term term, TermContext context) =>
            _statistics.Terms.TryGetValue(term.Text, out var counts)
                ? new TermStatistics(term.Bytes, counts.DocumentFrequency, counts.TotalFrequency)
                : base.TermStatistics(term, context);

        public override CollectionStatistics CollectionStatistics(string field) => field == TextField
            ? new CollectionStatistics(field, _statistics.MaxDocuments, _statistics.Documents, _statistics.Tokens, _statistics.Postings)
            : base.CollectionStatistics(field);
    }
}
