using Orleans.Concurrency;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// Stateless reranking. One reentrant worker per silo, as <see cref="Querying.QueryGrain"/>, so that
/// the client's cancellation reaches the call it cancels.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
public sealed class RerankGrain(CrossEncoderScatter scatter, ModelCatalog models) : Grain, IRerankGrain
{
    public async Task<RerankResponse> Rerank(RerankRequest request, CancellationToken cancellationToken)
    {
        if (RerankLimits.Problem(request) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        // Clients of other services send their own model names: those mean "the default here".
        var model = models.ServesCrossEncoder(request.Model) ? request.Model : null;
        var (logits, timings, encoder) = await scatter.Score(request.Tenant, request.Query, request.Documents, model,
            cancellationToken: cancellationToken);
        return new RerankResponse(logits, timings, encoder.Model.Name, encoder.ScoresAreRelevance);
    }

    public Task<ModelsInfo> Models()
    {
        var bi = models.BiEncoder(null).Encoder;
        var cross = models.CrossEncoder(null).Encoder;
        return Task.FromResult(new ModelsInfo(bi.Model.Name, cross.Model.Name, cross.ScoresAreRelevance, cross.Provider.ToString()));
    }
}
