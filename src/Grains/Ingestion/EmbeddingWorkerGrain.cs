using Orleans.Concurrency;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;

namespace RerankCluster.Grains.Ingestion;

[StatelessWorker]
public sealed class EmbeddingWorkerGrain(ModelCatalog models) : Grain, IEmbeddingWorkerGrain
{
    public Task<float[][]> Embed(string[] texts, string biEncoder, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(models.BiEncoder(biEncoder).Encoder.Embed(texts));
    }
}
