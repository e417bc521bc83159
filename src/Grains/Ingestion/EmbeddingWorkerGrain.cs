using Orleans.Concurrency;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;

namespace RerankCluster.Grains.Ingestion;

[StatelessWorker]
public sealed class EmbeddingWorkerGrain(ModelCatalog models) : Grain, IEmbeddingWorkerGrain
{
    public Task<DocumentChunks[]> Embed(DocumentInput[] documents, string biEncoder)
    {
        var (encoder, chunker) = models.BiEncoder(biEncoder);
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
