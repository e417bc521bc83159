using Orleans.Concurrency;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;
using RerankCluster.Grains.Placement;
using RerankCluster.Inference.Batching;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// Hands a micro-batch to this silo's batcher for its model, which merges it with the pairs of
/// concurrent queries into model-sized batches. One activation per silo (placed there by its key),
/// reentrant: it holds many micro-batches waiting at once, and a caller's cancellation reaches the
/// very call it cancels (a stateless worker would deliver it to another activation).
/// </summary>
[SiloTargetedPlacement]
[Reentrant]
public sealed class RerankSiloGrain(ModelCatalog models, ILocalSiloDetails silo) : Grain, IRerankSiloGrain
{
    public async Task<RerankBatchResult> Score(RerankBatch batch, CancellationToken cancellationToken)
    {
        var (encoder, batcher) = await models.CrossEncoder(batch.Model);
        CrossEncoderBatcher.Scores scores;
        try
        {
            // Tokenising on the thread pool, not on this silo's one activation, keeps micro-batches tokenising in parallel.
            scores = await Task.Run(() => batcher.Score(batch.Tenant, batch.Query, batch.Passages, encoder.MaxLength, cancellationToken, batch.RequestId),
                cancellationToken);
        }
        catch (QueueFullException full)
        {
            // The batcher's refusal crosses the wire as the typed error that callers fail over on and the gateway answers 429.
            throw new OverloadedException(
                $"The rerank silos are past their admission budget (Batching:MaxQueuedTokens); nothing of this request was kept. Retry after the Retry-After delay. {full.Message}",
                full.RetryAfter);
        }

        return new RerankBatchResult(scores.Logits, silo.SiloAddress.ToParsableString(), scores.TokenizeMs, scores.InferenceMs,
            scores.PaddedTokens, scores.RealTokens, batcher.TokensPerSecond, batcher.QueuedTokens);
    }
}
