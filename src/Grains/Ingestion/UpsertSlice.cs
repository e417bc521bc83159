using RerankCluster.Grains.Interfaces;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Ingestion;

/// <summary>
/// Documents an upsert job embeds and stores together, with their chunks: at most a budget of chunks,
/// except a document longer than the budget, which is a slice of its own embedded in several calls. A
/// document is never split over slices, so its chunks are stored, and replaced, as a whole.
/// </summary>
public sealed record UpsertSlice(DocumentInput[] Documents, IReadOnlyList<TextChunk>[] Chunks)
{
    public int ChunkCount => Chunks.Sum(chunks => chunks.Count);

    /// <summary>Cuts documents into slices in their order, chunking each once, only as far as the slices are taken.</summary>
    public static IEnumerable<UpsertSlice> Cut(IEnumerable<DocumentInput> documents, Func<string, IReadOnlyList<TextChunk>> split, int maxChunks)
    {
        var pending = new List<(DocumentInput Document, IReadOnlyList<TextChunk> Chunks)>();
        var chunks = 0;
        foreach (var document in documents)
        {
            var documentChunks = split(document.Text);
            if (pending.Count > 0 && chunks + documentChunks.Count > maxChunks)
            {
                yield return Of(pending);
                pending.Clear();
                chunks = 0;
            }

            pending.Add((document, documentChunks));
            chunks += documentChunks.Count;
        }

        if (pending.Count > 0)
        {
            yield return Of(pending);
        }
    }

    /// <summary>The chunk texts in document order, in embedding calls of at most <paramref name="maxChunks"/>.</summary>
    public string[][] EmbeddingCalls(int maxChunks) =>
        Chunks.SelectMany(chunks => chunks.Select(chunk => chunk.Text)).Chunk(maxChunks).ToArray();

    /// <summary>The documents as shards store them, given the embeddings of <see cref="EmbeddingCalls"/> in order.</summary>
    public DocumentChunks[] WithEmbeddings(IReadOnlyList<float[]> embeddings)
    {
        if (embeddings.Count != ChunkCount)
        {
            throw new InvalidOperationException($"{embeddings.Count} embeddings came back for {ChunkCount} chunks.");
        }

        var next = 0;
        return Documents.Select((document, i) => new DocumentChunks(
                document.Id,
                Chunks[i].Select(chunk => new StoredChunk(document.Id, chunk.Index, chunk.Text, document.MetadataJson, chunk.TokenCount, embeddings[next++]))
                    .ToArray()))
            .ToArray();
    }

    private static UpsertSlice Of(List<(DocumentInput Document, IReadOnlyList<TextChunk> Chunks)> pending) =>
        new(pending.Select(p => p.Document).ToArray(), pending.Select(p => p.Chunks).ToArray());
}
