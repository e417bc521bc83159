using System.Text.Json;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Sharding;

/// <summary>
/// What one shard holds in memory: every document's chunks and a vector index over their embeddings.
/// A document's chunks are replaced as a whole, so a shorter re-upsert leaves no stale chunk behind.
/// </summary>
public sealed class ShardContents
{
    private readonly Dictionary<string, DocumentChunks> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int), StoredChunk> _chunks = new();
    // Parsed once at upsert, so a filtered search only evaluates.
    private readonly Dictionary<string, JsonElement?> _metadata = new(StringComparer.Ordinal);
    private VectorIndex<(string DocumentId, int ChunkIndex)>? _index;

    public int Documents => _documents.Count;

    public int Chunks => _chunks.Count;

    /// <summary>Adds or replaces documents; returns how many of them were already present.</summary>
    public int Upsert(IEnumerable<DocumentChunks> documents)
    {
        var replaced = 0;
        foreach (var document in documents)
        {
            if (Remove(document.DocumentId))
            {
                replaced++;
            }

            _documents[document.DocumentId] = document;
            _metadata[document.DocumentId] = document.Chunks.FirstOrDefault()?.MetadataJson is { } json
                ? JsonDocument.Parse(json).RootElement.Clone()
                : null;
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

    public DocumentChunks? Get(string documentId) => _documents.GetValueOrDefault(documentId);

    public bool Remove(string documentId)
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
    }

    /// <summary>The <paramref name="k"/> chunks nearest the query among the documents <paramref name="filter"/> matches.</summary>
    public ShardHit[] Search(float[] query, int k, MetadataFilter? filter = null)
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

        // Filtered before top-k, not after: k matching chunks come back whenever the shard holds that many.
        Func<(string DocumentId, int ChunkIndex), bool>? accept = null;
        if (filter is not null)
        {
            var matching = _metadata.Where(d => filter.Matches(d.Value)).Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
            accept = key => matching.Contains(key.DocumentId);
        }

        return _index.Search(query, k, accept)
            .Select(hit =>
            {
                var chunk = _chunks[hit.Key];
                return new ShardHit(chunk.DocumentId, chunk.ChunkIndex, chunk.Text, chunk.MetadataJson, chunk.TokenCount, hit.Score);
            })
            .ToArray();
    }
}
