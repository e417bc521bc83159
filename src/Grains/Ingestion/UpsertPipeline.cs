using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;
using RerankCluster.Grains.Options;
using RerankCluster.Grains.Reranking;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Ingestion;

/// <summary>
/// Writes an upsert in slices: each slice's chunks are embedded by calls of at most
/// <c>Indexing:EmbedBatchChunks</c> chunks dealt over the embedding silos (the rerank silos'
/// <see cref="SiloRotation"/>), then its documents go to their shards. Every grain call is bounded by the
/// slice, never by the request, and several slices are in flight at once. A slice that fails because a
/// silo left is written again (re-upserting a document replaces it) until <c>Indexing:WriteRetryWindow</c>.
/// </summary>
public sealed class UpsertPipeline(
    IGrainFactory grains,
    ModelCatalog models,
    RerankSiloDirectory silos,
    IndexSettingsMemory settings,
    SiloCooldown cooldown,
    TimeProvider clock,
    IOptions<IndexingOptions> options,
    ILogger<UpsertPipeline> logger)
{
    /// <summary>
    /// What must hold before an upsert is accepted: the index exists, every document is valid, and the
    /// documents the index lacks fit the tenant's quota (reserved now, so that no race can overshoot it).
    /// </summary>
    public async Task<UpsertPlan> Prepare(string indexKey, DocumentInput[] documents, CancellationToken cancellationToken)
    {
        var index = await settings.Read(indexKey)
                    ?? throw new NotFoundException($"Index '{IndexKey.Parse(indexKey).Index}' does not exist.");
        DocumentValidation.Require(documents);
        if (silos.ActiveSilos().Count == 0)
        {
            // Refused before anything is reserved or acknowledged: with no model silo no slice could be embedded.
            throw new ModelUnavailableException(
                "No active silo serves models (Orleans:Metadata:role rerank or all), so the documents cannot be embedded. Start such a silo, or retry once one has joined.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var existing = (await Task.WhenAll(documents
                .GroupBy(document => ShardRouter.ShardOf(document.Id, index.Shards))
                .Select(group => Shard(indexKey, group.Key).Existing(group.Select(d => d.Id).ToArray()))))
            .SelectMany(ids => ids)
            .ToHashSet(StringComparer.Ordinal);
        await Quota(indexKey).ReserveDocuments(documents.Length - existing.Count);
        return new UpsertPlan(indexKey, index, documents, existing);
    }

    /// <summary>
    /// Embeds and stores the plan's slices, yielding each as it is stored. After a failed slice no further
    /// slice starts; those in flight finish. The quota is then corrected by what the shards found.
    /// </summary>
    /// <remarks>
    /// A stored slice reserved its documents less those that existed, and added its documents less those the
    /// shards replaced: the difference goes back (or, after concurrent deletes, is added). A failed slice keeps
    /// its reservation, erring towards the limit: its write may have reached some shards.
    /// </remarks>
    public async IAsyncEnumerable<SliceOutcome> Run(UpsertPlan plan, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chunker = (await models.BiEncoder(plan.Index.BiEncoder)).Chunker;
        var targets = Targets();
        var inFlight = targets.Count * options.Value.EmbedCallsPerSilo;
        var nextCall = 0;
        var correction = 0;
        var failed = false;
        var running = new List<Task<SliceOutcome>>();
        try
        {
            using var slices = UpsertSlice.Cut(plan.Documents, chunker.Split, options.Value.EmbedBatchChunks).GetEnumerator();
            while (true)
            {
                // Keep the pipeline full until the slices run out or one has failed.
                while (!failed && running.Count < inFlight && slices.MoveNext())
                {
                    var calls = slices.Current.EmbeddingCalls(options.Value.EmbedBatchChunks);
                    running.Add(Write(plan, slices.Current, calls, targets, nextCall, cancellationToken));
                    nextCall += calls.Length;
                }

                if (running.Count == 0)
                {
                    break;
                }

                var done = await Task.WhenAny(running);
                running.Remove(done);
                var outcome = await done;
                failed |= outcome.Error is not null;
                if (outcome.Error is null)
                {
                    correction += outcome.Slice.Documents.Count(d => plan.Existing.Contains(d.Id)) - outcome.Replaced;
                }

                yield return outcome;
            }
        }
        finally
        {
            await Quota(plan.IndexKey).AdjustDocuments(correction);
        }
    }

    /// <summary>What a job's status may say about a failure: storage and time-outs by name, anything else by type only.</summary>
    public static string Describe(Exception error) => error switch
    {
        _ when StorageUnavailableException.In(error) is { } storage => storage.Message,
        TimeoutException => "a grain call timed out",
        RerankException or InvalidOperationException or ArgumentException => error.Message,
        _ => $"{error.GetType().Name}; the error is in the silo log",
    };

    private async Task<SliceOutcome> Write(UpsertPlan plan, UpsertSlice slice, string[][] calls, SiloRotation targets, int firstCall,
        CancellationToken cancellationToken)
    {
        var began = clock.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var replaced = await WriteOnce(plan, slice, calls, targets, firstCall, retry: attempt > 0, cancellationToken);
                return new SliceOutcome(slice, slice.Documents.Length, slice.ChunkCount, replaced, null);
            }
            catch (Exception ex) when (ClusterChurn.Is(ex) && clock.GetElapsedTime(began) < options.Value.WriteRetryWindow &&
                                       !cancellationToken.IsCancellationRequested)
            {
                // Until membership moves the lost silo's shards and directory entries, the same write fails fast:
                // back off (jittered, doubling up to 4 s) and embed on silos that have not just failed.
                var step = TimeSpan.FromMilliseconds(250 * Math.Pow(2, Math.Min(attempt, 4)));
                var delay = step / 2 + step / 2 * Random.Shared.NextDouble();
                logger.LogInformation("Upsert slice ({First} to {Last}) into {Index} met a silo leaving ({Error}); writing it again in {Delay} ms",
                    slice.Documents[0].Id, slice.Documents[^1].Id, plan.IndexKey, ex.GetType().Name, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, clock, cancellationToken);
                targets = Targets();
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Upsert slice of {Documents} documents ({First} to {Last}) into {Index} failed",
                    slice.Documents.Length, slice.Documents[0].Id, slice.Documents[^1].Id, plan.IndexKey);
                return new SliceOutcome(slice, 0, 0, 0, ex);
            }
        }
    }

    /// <summary>Embeds and stores one slice; returns how many of its documents replaced ones this upsert did not write itself.</summary>
    private async Task<int> WriteOnce(UpsertPlan plan, UpsertSlice slice, string[][] calls, SiloRotation targets, int firstCall, bool retry,
        CancellationToken cancellationToken)
    {
        var embeddings = await Task.WhenAll(calls.Select((texts, n) => Embed(targets[firstCall + n], texts, plan.Index.BiEncoder, cancellationToken)));
        // Stops a job whose index was deleted meanwhile (while the index grain stalls, the check passes on what was read last).
        var index = await settings.Read(plan.IndexKey);
        if (index is null || index.CreatedAt != plan.Index.CreatedAt)
        {
            throw new NotFoundException($"Index '{plan.Index.Name}' was deleted while the upsert ran.");
        }

        var shards = slice.WithEmbeddings(embeddings.SelectMany(batch => batch).ToArray())
            .GroupBy(document => ShardRouter.ShardOf(document.DocumentId, index.Shards))
            .ToList();
        // A failed attempt may have stored some new documents already: those are not replacements of anything.
        var storedBefore = retry
            ? (await Task.WhenAll(shards.Select(group => Shard(plan.IndexKey, group.Key)
                .Existing(group.Select(d => d.DocumentId).Where(id => !plan.Existing.Contains(id)).ToArray())))).Sum(ids => ids.Length)
            : 0;
        var replaced = await Task.WhenAll(shards.Select(group => Shard(plan.IndexKey, group.Key).Upsert(group.ToArray(), index.Replicas)));
        return replaced.Sum() - storedBefore;
    }

    private async Task<float[][]> Embed(string silo, string[] texts, string biEncoder, CancellationToken cancellationToken)
    {
        try
        {
            return await grains.GetGrain<IEmbeddingSiloGrain>(silo).Embed(texts, biEncoder, cancellationToken);
        }
        catch (Exception ex) when (ClusterChurn.Is(ex))
        {
            cooldown.Failed(silo, ex);
            throw;
        }
    }

    /// <summary>The active model silos, less those that just failed a call (all of them when every one has).</summary>
    private SiloRotation Targets()
    {
        var active = silos.ActiveSilos();
        var ready = active.Where(silo => !cooldown.IsCoolingDown(silo)).ToList();
        return new SiloRotation(ready.Count > 0 ? ready : active);
    }

    private IShardGrain Shard(string indexKey, int shard) => grains.GetGrain<IShardGrain>(IndexKey.Shard(indexKey, shard));

    private IQuotaGrain Quota(string indexKey) => grains.GetGrain<IQuotaGrain>(IndexKey.Parse(indexKey).Tenant);
}
