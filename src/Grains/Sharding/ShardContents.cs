using RerankCluster.Grains.Interfaces;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Sharding;

/// <summary>
/// What one shard holds in memory: every document's chunks, a vector index over their embeddings and a
/// BM25 index over their texts, kept in step. A document's chunks are replaced as a whole, so a shorter
/// re-upsert leaves no stale chunk behind. Nothing of it is persisted: a shard loaded from the store
/// rebuilds both indexes from the stored chunks (cheaper to keep right than a second stored copy).
/// </summary>
public sealed class ShardContents : IDisposable
{
    private readonly Dictionary<string, DocumentChunks> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int), StoredChunk> _chunks = new();
    private readonly LexicalIndex _lexical = new();
    private VectorIndex<(string DocumentId, int ChunkIndex)>? _index;

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
            foreach (var chunk in document.Chunks)
            {
                _index ??= new VectorIndex<(string, int)>(chunk.Embedding.Length);
                _index.Upsert((chunk.DocumentId, chunk.ChunkIndex), chunk.Embedding);
                _chunks[(chunk.DocumentId, chunk.ChunkIndex)] = chunk;
            }
        }

        return replaced;
    }

    public bool Contains(string documentId) => _documents.ContainsKey(documentId);

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
        _chunks.Clear();
        _index?.Clear();
        _lexical.Clear();
    }

    /// <summary>The shard's best <see cref="ShardQuery.K"/> chunks by cosine and by BM25, as the query asks.</summary>
    public ShardHits Search(ShardQuery query) => new(
        query.Embedding is null ? [] : Dense(query.Embedding, query.K),
        query.Text is null || query.K <= 0
            ? []
            : Hits(_lexical.Search(query.Text, query.K, query.Statistics is null ? null : LexicalCountsMapping.ToStatistics(query.Statistics))));

    /// <summary>This shard's BM25 counts for the query's terms, to be summed over the index's shards.</summary>
    public LexicalCounts LexicalStatistics(string text) => LexicalCountsMapping.ToCounts(_lexical.Statistics(text));

    public void Dispose() => _lexical.Dispose();

    private ShardHit[] Dense(float[] query, int k)
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

        return Hits(_index.Search(query, k));
    }

    private ShardHit[] Hits(IEnumerable<((string DocumentId, int ChunkIndex) Key, float Score)> hits) => hits
        .Select(hit =>
        {
            var chunk = _chunks[hit.Key];
            return new ShardHit(chunk.DocumentId, chunk.ChunkIndex, chunk.Text, chunk.MetadataJson, chunk.TokenCount, hit.Score);
        })
        .ToArray();
}
