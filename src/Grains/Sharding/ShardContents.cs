using System.Text.Json;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Sharding;

/// <summary>
/// What one shard holds in memory: every document's chunks, a vector index over their embeddings and a
/// BM25 index over their texts, kept in step. A document's chunks are replaced as a whole, so a shorter
/// re-upsert leaves no stale chunk behind. Nothing of it is persisted: a shard loaded from the store
/// rebuilds both indexes from the stored chunks (cheaper to keep right than a second stored copy).
/// </summary>
/// <param name="approximateFrom">Chunks from which dense search also builds an HNSW graph (Indexing:AnnMinChunks); 0: exact only.</param>
/// <param name="expansionSearch">The graph's search width (Indexing:AnnExpansionSearch).</param>
public sealed class ShardContents(int approximateFrom = 0, int expansionSearch = 512) : IDisposable
{
    private readonly Dictionary<string, DocumentChunks> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int), StoredChunk> _chunks = new();
    // Parsed once at upsert, so a filtered search only evaluates.
    private readonly Dictionary<string, JsonElement?> _metadata = new(StringComparer.Ordinal);
    private readonly LexicalIndex _lexical = new();
    private DenseIndex<(string DocumentId, int ChunkIndex)>? _index;

    public int Documents => _documents.Count;

    public int Chunks => _chunks.Count;

    /// <summary>Adds or replaces documents; returns how many of them were already present.</summary>
    public int Upsert(IEnumerable<DocumentChunks> documents)
    {
        var replaced = 0;
        foreach (var document in documents)
        {
            var texts = document.Chunks.Select(chunk => (chunk.ChunkIndex, chunk.Text));
            if (Forget(document.DocumentId))
            {
                replaced++;
                _lexical.Replace(document.DocumentId, texts);
            }
            else
            {
                // Nothing to delete first: a load adds every document this way.
                _lexical.Add(document.DocumentId, texts);
            }

            _documents[document.DocumentId] = document;
            _metadata[document.DocumentId] = document.Chunks.FirstOrDefault()?.MetadataJson is { } json
                ? JsonDocument.Parse(json).RootElement.Clone()
                : null;
            foreach (var chunk in document.Chunks)
            {
                _index ??= new DenseIndex<(string, int)>(chunk.Embedding.Length, approximateFrom, expansionSearch);
                _index.Upsert((chunk.DocumentId, chunk.ChunkIndex), chunk.Embedding);
                _chunks[(chunk.DocumentId, chunk.ChunkIndex)] = chunk;
            }
        }

        return replaced;
    }

    public bool Contains(string documentId) => _documents.ContainsKey(documentId);

    public DocumentChunks? Get(string documentId) => _documents.GetValueOrDefault(documentId);

    public bool Remove(string documentId)
    {
        if (!Forget(documentId))
        {
            return false;
        }

        _lexical.Remove(documentId);
        return true;
    }

    /// <summary>Drops a document's chunks from the dictionaries and the vector index (the lexical index is the caller's).</summary>
    private bool Forget(string documentId)
    {
        if (!_documents.Remove(documentId, out var existing))
        {
            return false;
        }

        _metadata.Remove(documentId);

        foreach (var chunk in existing.Chunks)
        {
            _index?.Remove((chunk.DocumentId, chunk.ChunkIndex));
            _chunks.Remove((chunk.DocumentId, chunk.ChunkIndex));
        }

        return true;
    }

    public void Clear()
    {
        _documents.Clear();
        _metadata.Clear();
        _chunks.Clear();
        _index?.Clear();
        _lexical.Clear();
    }

    /// <summary>
    /// The shard's best <see cref="ShardQuery.K"/> chunks by cosine and by BM25, as the query asks, among the
    /// documents its filter matches: filtered before the top k, not after, so k matching chunks come back
    /// whenever the shard holds that many.
    /// </summary>
    public ShardHits Search(ShardQuery query)
    {
        var matching = query.Filter is null ? null : Matching(MetadataFilter.Parse(query.Filter));
        return new ShardHits(
            query.Embedding is null ? [] : Dense(query.Embedding, query.K, matching),
            query.Text is null || query.K <= 0 || matching is { Count: 0 }
                ? []
                : Hits(_lexical.Search(query.Text, query.K, query.Statistics is null ? null : LexicalCountsMapping.ToStatistics(query.Statistics),
                    matching)));
    }

    /// <summary>This shard's BM25 counts for the query's terms, to be summed over the index's shards.</summary>
    public LexicalCounts LexicalStatistics(string text) => LexicalCountsMapping.ToCounts(_lexical.Statistics(text));

    /// <summary>Whether unfiltered dense searches go to the HNSW graph (built and caught up with every write).</summary>
    public bool IsApproximate => _index?.IsApproximate ?? false;

    /// <summary>The HNSW graph's build while it runs, else null.</summary>
    public Task? ApproximateBuild => _index?.Building;

    public void Dispose()
    {
        _lexical.Dispose();
        _index?.Dispose();
    }

    private HashSet<string> Matching(MetadataFilter filter) =>
        _metadata.Where(d => filter.Matches(d.Value)).Select(d => d.Key).ToHashSet(StringComparer.Ordinal);

    private ShardHit[] Dense(float[] query, int k, IReadOnlySet<string>? matching)
    {
        if (_index is null || _index.Count == 0 || k <= 0)
        {
            return [];
        }

        if (query.Length != _index.Dimension)
        {
            throw new ArgumentException(
                $"The query embedding has {query.Length} dimensions but this shard stores {_index.Dimension}; was the bi-encoder changed after ingestion?");
        }

        return Hits(_index.Search(query, k, matching is null ? null : key => matching.Contains(key.DocumentId)));
    }

    private ShardHit[] Hits(IEnumerable<((string DocumentId, int ChunkIndex) Key, float Score)> hits) => hits
        .Select(hit =>
        {
            var chunk = _chunks[hit.Key];
            return new ShardHit(chunk.DocumentId, chunk.ChunkIndex, chunk.Text, chunk.MetadataJson, chunk.TokenCount, hit.Score);
        })
        .ToArray();
}
