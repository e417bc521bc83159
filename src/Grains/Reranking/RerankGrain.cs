using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;
using RerankCluster.Grains.Options;
using RerankCluster.Inference.Batching;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// Stateless reranking. One reentrant worker per silo, as <see cref="Querying.QueryGrain"/>, so that
/// the client's cancellation reaches the call it cancels.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
public sealed class RerankGrain(CrossEncoderScatter scatter, ModelCatalog models, IOptions<BatcherOptions> batching, IOptions<RerankOptions> rerank)
    : Grain, IRerankGrain
{
    public async Task<RerankResponse> Rerank(RerankRequest request, CancellationToken cancellationToken)
    {
        if (RerankLimits.Problem(request) is { } problem)
        {
            throw new InvalidRequestException(problem);
        }

        // A name this cluster does not serve is refused with the served names, never scored by the default.
        var model = models.CrossEncoderName(request.Model, "model");
        scatter.Admit(request.Tenant);
        var crossEncoder = (await models.CrossEncoder(model)).Encoder;
        var documents = request.MaxTokensPerDoc is { } maxTokens
            ? request.Documents.Select(d => crossEncoder.Tokenizer.Truncate(d, maxTokens)).ToArray()
            : request.Documents;
        BestChunkScoring.Windows? windows = null;
        if (!request.Truncate || request.TruncateLeft)
        {
            documents = PairLength.Fit(crossEncoder, request.Query, documents, request.Truncate, request.TruncateLeft);
        }
        else if ((request.MaxChunksPerDoc ?? rerank.Value.MaxChunksPerDoc) is > 1 and var chunks)
        {
            windows = BestChunkScoring.Split(crossEncoder.Tokenizer, request.Query, documents, crossEncoder.MaxLength, chunks);
        }

        var (scored, timings, encoder) = await scatter.Score(request.Tenant, request.Query, windows?.Texts ?? documents, model,
            cancellationToken: cancellationToken);
        var logits = windows is null ? scored : BestChunkScoring.Best(scored, windows.Owners, documents.Length);
        return new RerankResponse(logits, timings, encoder.Model.Name, encoder.ScoresAreRelevance);
    }

    public async Task<ModelsInfo> Models()
    {
        var bi = (await models.BiEncoder(null)).Encoder;
        var cross = (await models.CrossEncoder(null)).Encoder;
        return new ModelsInfo(bi.Model.Name, cross.Model.Name, cross.ScoresAreRelevance, cross.Provider.ToString(), cross.MaxLength,
            batching.Value.MaxBatchTokens);
    }
}
