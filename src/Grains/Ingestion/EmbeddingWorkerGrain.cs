using Orleans.Concurrency;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Inference;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Ingestion;

[StatelessWorker]
public sealed class EmbeddingWorkerGrain(BiEncoder encoder, TextChunker chunker) : Grain, IEmbeddingWorkerGrain
{
    public Task<DocumentChunks[]> Embed(DocumentInput[] documents)
    {
        var split = documents.Select(document => (document, chunks: chunker.Split(document.Text))).ToArray();
        var texts = split.SelectMany(d => d.chunks.Select(c => c.Text)).ToArray();
        var embeddings = encoder.Embed(texts);
        var next = 0;
        var result = split.Select(d => new DocumentChunks(
                d.document.Id,
                d.chunks.Select(c => new StoredChunk(d.document.Id, c.Index, c.Text, d.document.MetadataJson, c.TokenCount, embeddings[next++]))
                    .ToArray()))
            .ToArray();
        return Task.FromResult(result);
    }
}
