using System.Diagnostics;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Options;
using RerankCluster.Grains.Reranking;
using RerankCluster.Inference;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Querying;

/// <summary>
/// Two-stage search of one index: embed the query once, scatter the vector search to every shard,
/// merge the global top candidates, rerank them in parallel micro-batches spread over the silos.
/// </summary>
[StatelessWorker]
public sealed class QueryGrain(
    BiEncoder biEncoder,
    CrossEncoder crossEncoder,
    RerankSiloDirectory silos,
    IOptions<RerankOptions> rerank) : Grain, IQueryGrain
{
    public async Task<SearchResponse> Search(SearchRequest request)
    {
        if (SearchLimits.Problem(request) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        var total = Stopwatch.StartNew();
        var indexKey = this.GetPrimaryKeyString();
        var index = await GrainFactory.GetGrain<IIndexGrain>(indexKey).Get()
                    ?? throw new KeyNotFoundException($"Index '{IndexKey.Parse(indexKey).Index}' does not exist.");

        var clock = Stopwatch.StartNew();
        var queryVector = biEncoder.Embed(request.Query);
        var embedMs = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        var depth = Math.Max(request.Candidates, request.Stage1Depth);
        var shardHits = await Task.WhenAll(Enumerable.Range(0, index.Shards)
            .Select(i => GrainFactory.GetGrain<IShardGrain>(IndexKey.Shard(indexKey, i)).Search(queryVector, depth)));
        var stage1 = CandidateMerger.Merge(shardHits, depth, hit => hit.Score, hit => $"{hit.DocumentId}\u0000{hit.ChunkIndex}");
        var stage1Ms = clock.Elapsed.TotalMilliseconds;

        var candidates = stage1.Take(request.Candidates).ToArray();
        clock.Restart();
        var outcome = await RerankCandidates(request.Query, candidates);
        var rerankMs = clock.Elapsed.TotalMilliseconds;

        var results = candidates
            .Select((hit, rank) => (hit, rank, logit: outcome.Logits[rank]))
            .OrderByDescending(c => c.logit)
            .ThenBy(c => c.rank)
            .Take(request.TopK)
            .Select(c => new SearchResult(
                c.hit.DocumentId,
                c.hit.ChunkIndex,
                request.ReturnDocuments ? c.hit.Text : null,
                request.ReturnDocuments ? c.hit.MetadataJson : null,
                c.logit,
                CrossEncoder.Probability(c.logit),
                c.rank + 1,
                c.hit.Score))
            .ToArray();

        var timings = new SearchTimings(
            embedMs, stage1Ms, rerankMs, total.Elapsed.TotalMilliseconds,
            outcome.Batches.Sum(b => b.TokenizeMs),
            outcome.Batches.Length == 0 ? 0 : outcome.Batches.Max(b => b.InferenceMs),
            candidates.Length,
            outcome.Batches.Length,
            outcome.Batches.Sum(b => b.PaddedTokens),
            outcome.Batches.Select(b => b.Silo).Distinct().Order(StringComparer.Ordinal).ToArray());
        var stage1Hits = request.Stage1Depth > 0
            ? stage1.Take(request.Stage1Depth).Select(h => new Stage1Hit(h.DocumentId, h.ChunkIndex, h.Score)).ToArray()
            : [];
        return new SearchResponse(results, timings, crossEncoder.Model.Name, crossEncoder.ScoresAreRelevance, stage1Hits);
    }

    private Task<MicroBatchReranker.Outcome> RerankCandidates(string query, ShardHit[] candidates)
    {
        var queryTokens = crossEncoder.Tokenizer.Tokenize(query).Length;
        var lengths = candidates.Select(c => Math.Min(crossEncoder.MaxLength, queryTokens + c.TokenCount + 3)).ToArray();
        var targets = silos.ActiveSilos();
        // A random first silo per query keeps concurrent queries from piling onto the same one.
        var offset = targets.Count == 0 ? 0 : Random.Shared.Next(targets.Count);
        return MicroBatchReranker.Rerank(
            query,
            candidates.Select(c => c.Text).ToArray(),
            lengths,
            rerank.Value.MaxPairsPerBatch,
            rerank.Value.MaxBatchTokens,
            (n, batch) => targets.Count == 0
                ? GrainFactory.GetGrain<ICrossEncoderWorkerGrain>(0).Score(batch)
                : GrainFactory.GetGrain<IRerankSiloGrain>(targets[(offset + n) % targets.Count]).Score(batch));
    }
}
