using Orleans.Concurrency;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Placement;

namespace RerankCluster.Grains.Reranking;

[SiloTargetedPlacement]
[Reentrant]
public sealed class RerankSiloGrain : Grain, IRerankSiloGrain
{
    // Called from this silo, the stateless worker activates here.
    public Task<RerankBatchResult> Score(RerankBatch batch, CancellationToken cancellationToken) =>
        GrainFactory.GetGrain<ICrossEncoderWorkerGrain>(0).Score(batch, cancellationToken);
}
