using Orleans.Concurrency;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;
using RerankCluster.Grains.Placement;
using RerankCluster.Inference.Batching;

namespace RerankCluster.Grains.Ingestion;

/// <summary>
/// A silo's bi-encoder for ingestion: reentrant, so calls from many upserts wait together in the model's
/// device queue as bulk work (after any search's query embedding), while the model runs off the grain's turn.
/// </summary>
[SiloTargetedPlacement]
[Reentrant]
public sealed class EmbeddingSiloGrain(ModelCatalog models) : Grain, IEmbeddingSiloGrain
{
    public async Task<float[][]> Embed(string[] texts, string biEncoder, CancellationToken cancellationToken) =>
        await (await models.BiEncoder(biEncoder)).Encoder.EmbedAsync(texts, DeviceWork.Bulk, cancellationToken);
}
