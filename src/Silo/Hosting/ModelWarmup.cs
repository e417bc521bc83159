using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RerankCluster.Grains.Models;
using RerankCluster.Inference.Models;

namespace RerankCluster.Silo.Hosting;

/// <summary>
/// Loads both models while the host starts, so a started silo is a ready one and a broken model
/// configuration stops start-up with its reason instead of failing the first query.
/// </summary>
public sealed class ModelWarmup(ModelCatalog models, ILogger<ModelWarmup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var bi = (await models.BiEncoder(null)).Encoder;
        var cross = (await models.CrossEncoder(null)).Encoder;
        logger.LogInformation("Bi-encoder {Model} ({Dimension} dimensions, max {MaxLength} tokens) on {Provider}",
            bi.Model.Name, bi.Dimension, bi.MaxLength, bi.Provider);
        logger.LogInformation("Cross-encoder {Model} (max {MaxLength} tokens) on {Provider}", cross.Model.Name, cross.MaxLength, cross.Provider);
        if (!cross.ScoresAreRelevance)
        {
            logger.LogWarning("Cross-encoder {Model}: {Warning}. Configure CrossEncoder:Model with a trained reranker for real relevance.",
                cross.Model.Name, DerivedTestCrossEncoder.Warning);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
