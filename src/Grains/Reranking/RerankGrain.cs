using Orleans.Concurrency;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Inference;

namespace RerankCluster.Grains.Reranking;

[StatelessWorker]
public sealed class RerankGrain(CrossEncoderScatter scatter, BiEncoder biEncoder, CrossEncoder crossEncoder) : Grain, IRerankGrain
{
    public async Task<RerankResponse> Rerank(RerankRequest request)
    {
        if (RerankLimits.Problem(request) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        var (logits, timings) = await scatter.Score(request.Query, request.Documents);
        return new RerankResponse(logits, timings, scatter.Model, scatter.ScoresAreRelevance);
    }

    public Task<ModelsInfo> Models() =>
        Task.FromResult(new ModelsInfo(biEncoder.Model.Name, crossEncoder.Model.Name, crossEncoder.ScoresAreRelevance, crossEncoder.Provider.ToString()));
}
