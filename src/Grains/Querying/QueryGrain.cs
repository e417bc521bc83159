using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using RerankCluster.Configuration.Telemetry;
using RerankCluster.Grains.Caching;
using RerankCluster.Grains.Ingestion;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;
using RerankCluster.Grains.Options;
using RerankCluster.Grains.Reranking;
using RerankCluster.Grains.Sharding;
using RerankCluster.Inference;
using RerankCluster.Inference.Batching;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Querying;

/// <summary>
/// Two-stage search of one index: embed the query once (dense, hybrid), scatter the search to every shard
/// (with the index-wide BM25 counts: lexical, hybrid), merge and fuse the global top candidates, rerank
/// them in parallel micro-batches spread over the silos.
/// One reentrant worker per silo: Orleans hands a call's cancellation to a stateless worker as a new
/// message, which reaches the activation running the call only when it is the silo's only one.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
public sealed class QueryGrain(ModelCatalog models, CrossEncoderScatter reranker, InferenceCache cache, IndexSettingsMemory settings, IOptions<RerankOptions> rerank,
    IOptions<IndexingOptions> indexing, IOptions<Stage1Options> stage1Options, ILogger<QueryGrain> logger) : Grain, IQueryGrain
{
    public async Task<SearchResponse> Search(SearchRequest request, CancellationToken cancellationToken)
    {
        if (SearchLimits.Problem(request) is { } problem)
        {
            throw new InvalidRequestException(problem);
        }

        ValidateFilter(request.Filter);
        var total = Stopwatch.StartNew();
        var indexKey = IndexKeyOfThis();
        // Before any work: refusing costs next to nothing, so an overloaded cluster sheds load cheaply.
        reranker.Admit(IndexKey.Parse(indexKey).Tenant);
        var index = await settings.Read(indexKey) ?? throw new NotFoundException($"Index '{IndexKey.Parse(indexKey).Index}' does not exist.");

        var plan = Stage1Plan.For(request, index, stage1Options.Value);
        var depth = Math.Max(request.Candidates, request.Stage1Depth);
        var clock = Stopwatch.StartNew();
        // The shards' BM25 counts are gathered while the query is embedded: they cost no time of their own.
        var lexicalCounts = plan.Lexical
            ? EveryShard(indexKey, index, shard => shard.LexicalStatistics(request.Query), cancellationToken)
            : Task.FromResult<LexicalCounts[]>([]);
        float[]? queryVector = null;
        if (plan.Dense)
        {
            using var embedSpan = RerankTelemetry.Source.StartActivity("embed query");
            var encoder = (await models.BiEncoder(index.BiEncoder)).Encoder;
            // Interactive work: ahead of any ingestion queued on this silo's bi-encoder, and off the activation's turn.
            queryVector = await cache.QueryEmbedding(index.BiEncoder, request.Query,
                async query => (await encoder.EmbedAsync([query], DeviceWork.Interactive, cancellationToken))[0]);
        }

        var embedMs = plan.Dense ? clock.Elapsed.TotalMilliseconds : 0;
        using var stage1Span = RerankTelemetry.Source.StartActivity("stage 1: scatter and merge");
        stage1Span?.SetTag("rerank.stage1", Stage1Names.Of(plan.Mode));

        clock.Restart();
        var statistics = plan.Lexical
            ? LexicalCountsMapping.ToCounts(LexicalStatistics.Sum((await lexicalCounts).Select(LexicalCountsMapping.ToStatistics)))
            : null;
        var shardQuery = new ShardQuery(depth, queryVector, plan.Lexical ? request.Query : null, statistics, request.Filter);
        var shardHits = await EveryShard(indexKey, index, shard => shard.Search(shardQuery), cancellationToken);
        var stage1 = Stage1Merge.Merge(shardHits, plan, depth);
        var stage1Ms = clock.Elapsed.TotalMilliseconds;
        stage1Span?.SetTag("rerank.candidates", Math.Min(stage1.Count, request.Candidates));
        stage1Span?.Dispose();
        using var rerankSpan = RerankTelemetry.Source.StartActivity("stage 2: rerank");

        cancellationToken.ThrowIfCancellationRequested();
        var candidates = stage1.Take(request.Candidates).ToArray();
        var model = (await models.CrossEncoder(index.CrossEncoder)).Encoder;
        float[] logits;
        RerankTimings rerankTimings;
        string? degraded = null;
        try
        {
            (logits, rerankTimings, model) = await reranker.Score(IndexKey.Parse(indexKey).Tenant, request.Query,
                candidates.Select(c => c.Text).ToArray(), index.CrossEncoder, candidates.Select(c => c.TokenCount).ToArray(), cancellationToken);
        }
        catch (Exception ex) when (ex is not (ArgumentException or TimeoutException or RerankFailedException) && !IsRefusal(ex) &&
                                   rerank.Value.OnFailure == RerankFailureMode.Fail)
        {
            logger.LogError(ex, "Reranking failed for index {Index}", indexKey);
            throw new RerankFailedException(
                $"Reranking failed ({ex.GetType().Name}); the error is in the silo log. Rerank:OnFailure=Stage1Order answers in stage-1 order instead.");
        }
        catch (Exception ex) when (ex is not ArgumentException && !IsRefusal(ex) && rerank.Value.OnFailure == RerankFailureMode.Stage1Order)
        {
            // Degrade, as configured: stage-1 order, each score its stage-1 score, and say so.
            logger.LogWarning(ex, "Reranking failed for index {Index}; answering in stage-1 order", indexKey);
            degraded = $"reranking failed ({(ex is TimeoutException ? $"over Rerank:Timeout {rerank.Value.Timeout}" : ex.GetType().Name)}); " +
                       $"results are in stage-1 order and scores are stage-1 scores ({Stage1Names.Of(plan.Mode)})";
            logits = candidates.Select(c => c.Score).ToArray();
            rerankTimings = new RerankTimings(0, 0, 0, 0, 0, 0, 0, []);
        }

        var stage1Weight = request.Stage1Weight ?? rerank.Value.Stage1Weight ?? model.Model.Stage1Weight;
        var order = degraded is null && stage1Weight > 0
            ? ScoreFusion.Interpolate(logits, candidates.Select(c => c.Score).ToArray(), stage1Weight)
            : logits.Select(l => (double)l).ToArray();
        var ranked = candidates
            .Select((hit, rank) => (hit, rank, logit: logits[rank]))
            .OrderByDescending(c => order[c.rank])
            .ThenBy(c => c.rank);
        // A document's first chunk in the final order is its best: the one that represents it.
        var results = (request.GroupByDocument ? ranked.DistinctBy(c => c.hit.DocumentId) : ranked)
            .Take(request.TopK)
            .Select(c => new SearchResult(
                c.hit.DocumentId,
                c.hit.ChunkIndex,
                request.ReturnDocuments ? c.hit.Text : null,
                request.ReturnDocuments ? c.hit.MetadataJson : null,
                c.logit,
                degraded is null ? Logits.Probability(c.logit) : 0,
                c.rank + 1,
                c.hit.Score))
            .ToArray();

        var stage1Hits = request.Stage1Depth > 0
            ? stage1.Take(request.Stage1Depth).Select(h => new Stage1Hit(h.DocumentId, h.ChunkIndex, h.Score, request.ReturnDocuments ? h.Text : null)).ToArray()
            : [];
        var timings = new SearchTimings(embedMs, stage1Ms, total.Elapsed.TotalMilliseconds, candidates.Length, rerankTimings);
        return new SearchResponse(results, timings, model.Model.Name, model.ScoresAreRelevance, stage1Hits, degraded,
            degraded is null ? stage1Weight : 1, plan.Mode, plan.Fusion);
    }

    /// <summary>
    /// Through the settings and the replicas as a search goes (hedged, settings read last when the index grain
    /// stalls), so a lookup answers while any replica of the document's shard does.
    /// </summary>
    public async Task<DocumentChunks?> GetDocument(string documentId, CancellationToken cancellationToken)
    {
        var indexKey = IndexKeyOfThis();
        var index = await settings.Read(indexKey) ?? throw new NotFoundException($"Index '{IndexKey.Parse(indexKey).Index}' does not exist.");
        Ingestion.DocumentValidation.RequireId(documentId);
        var shard = ShardRouter.ShardOf(documentId, index.Shards);
        return await HedgedRead.First(index.Replicas,
            r => GrainFactory.GetGrain<IShardGrain>(IndexKey.Replica(indexKey, shard, r)).Get(documentId), indexing.Value.ShardHedgeDelay, cancellationToken);
    }

    /// <summary>The index this activation reads: the key extension beside its entry number (<see cref="ReadEntry"/>).</summary>
    private string IndexKeyOfThis()
    {
        this.GetPrimaryKeyLong(out var indexKey);
        return indexKey ?? throw new InvalidOperationException("A query grain is keyed by an entry number and an index key.");
    }

    /// <summary>Here, once, so that every shard gets a filter it can parse.</summary>
    private static void ValidateFilter(string? filter)
    {
        try
        {
            if (filter is not null)
            {
                MetadataFilter.Parse(filter);
            }
        }
        catch (MetadataFilterException ex)
        {
            throw new InvalidRequestException(ex.Message);
        }
    }

    /// <summary>Asks every shard of the index through one of its replicas, from a random one, hedged to the next (HedgedRead).</summary>
    private Task<T[]> EveryShard<T>(string indexKey, IndexInfo index, Func<IShardGrain, Task<T>> ask, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, index.Shards).Select(i =>
        {
            var first = Random.Shared.Next(index.Replicas);
            return HedgedRead.First(index.Replicas,
                r => ask(GrainFactory.GetGrain<IShardGrain>(IndexKey.Replica(indexKey, i, (first + r) % index.Replicas))),
                indexing.Value.ShardHedgeDelay, cancellationToken);
        }));

    /// <summary>
    /// The client left, or the cluster is past its admission budget: neither is a failure to degrade
    /// from (a degraded answer would invite the load back), both go back to the caller as they are.
    /// </summary>
    private static bool IsRefusal(Exception error) => error is OperationCanceledException or OverloadedException;
}
