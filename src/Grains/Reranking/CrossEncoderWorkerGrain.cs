using Orleans.Concurrency;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// Hands a micro-batch to this silo's batcher for its model, which merges it with the pairs of
/// concurrent queries into model-sized batches. Reentrant: one activation has many micro-batches
/// waiting at once.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class CrossEncoderWorkerGrain(ModelCatalog models, ILocalSiloDetails silo) : Grain, ICrossEncoderWorkerGrain
{
    public async Task<RerankBatchResult> Score(RerankBatch batch)
    {
        var (encoder, batcher) = models.CrossEncoder(batch.Model);
        var scores = await batcher.Score(batch.Query, batch.Passages, encoder.MaxLength);
        return new RerankBatchResult(scores.Logits, silo.SiloAddress.ToParsableString(), scores.TokenizeMs, scores.InferenceMs,
            scores.PaddedTokens, scores.RealTokens);
    }
}
