using Orleans.Concurrency;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Placement;

namespace RerankCluster.Grains.Ingestion;

[SiloTargetedPlacement]
[Reentrant]
public sealed class EmbeddingSiloGrain : Grain, IEmbeddingSiloGrain
{
    // Called from this silo, the stateless worker activates here.
    public Task<float[][]> Embed(string[] texts, string biEncoder, CancellationToken cancellationToken) =>
        GrainFactory.GetGrain<IEmbeddingWorkerGrain>(0).Embed(texts, biEncoder, cancellationToken);
}
