using Orleans.Concurrency;

namespace RerankCluster.Grains.Interfaces;

/// <summary>A tenant's index ("tenant/index"): its settings; documents are written by <see cref="IIngestJobGrain"/>s.</summary>
public interface IIndexGrain : IGrainWithStringKey
{
    /// <summary>Creates the index, or returns it unchanged when it exists with the same settings.</summary>
    Task<IndexInfo> Create(IndexSettings settings);

    /// <summary>Interleaves with every other call, so a search or an upsert never waits behind a turn of this grain.</summary>
    [AlwaysInterleave]
    Task<IndexInfo?> Get();

    Task<bool> Delete();

    Task<bool> DeleteDocument(string documentId);

    Task<ShardStats[]> Stats();
}

/// <summary>
/// One replica of one partition of an index ("tenant/index/shard", "tenant/index/shard/r1"): its chunks,
/// embeddings, vector index and BM25 index. Replica 0 (the shard's own key) takes the writes: it stores them, applies
/// them, and forwards them in order to the other replicas, which hold the same contents in memory on
/// other silos and answer searches too.
/// </summary>
public interface IShardGrain : IGrainWithStringKey
{
    /// <summary>Replaces every listed document's chunks (on every live replica); returns how many documents existed before.</summary>
    Task<int> Upsert(DocumentChunks[] documents, int replicas);

    Task<int> Delete(string[] documentIds, int replicas);

    /// <summary>A write forwarded by replica 0: the <paramref name="sequence"/>-th of its activation <paramref name="epoch"/>.</summary>
    Task Apply(string epoch, long sequence, DocumentChunks[] upserts, string[] deletes);

    /// <summary>Which of these documents the shard holds (for quotas: only new documents count).</summary>
    Task<string[]> Existing(string[] documentIds);

    /// <summary>Interleaves with writes, as <see cref="Search"/> does.</summary>
    [AlwaysInterleave]
    Task<DocumentChunks?> Get(string documentId);

    /// <summary>
    /// Interleaves with writes, so a search never waits for a shard's storage write: every write changes the
    /// in-memory contents only after its last await, so an interleaved search sees them before or after, whole.
    /// </summary>
    [AlwaysInterleave]
    Task<ShardHits> Search(ShardQuery query);

    /// <summary>The shard's BM25 counts for a query's terms: summed over shards, they make lexical scores comparable (as Search).</summary>
    [AlwaysInterleave]
    Task<LexicalCounts> LexicalStatistics(string text);

    Task<ShardStats> Stats();

    /// <summary>Forgets every chunk on every replica (the index is being deleted).</summary>
    Task Drop(int replicas);

    /// <summary>Replica side of <see cref="Drop"/>.</summary>
    Task Forget();
}

/// <summary>
/// Answers reads of one index: searches (embed, scatter to shards, gather, rerank in micro-batches) and document lookups.
/// Keyed by an entry number (<see cref="ReadEntry"/>) and the index key ("tenant/index") as the key extension.
/// </summary>
public interface IQueryGrain : IGrainWithIntegerCompoundKey
{
    /// <summary>The stored document (its chunks) from any replica of its shard, or null when the index does not hold it.</summary>
    Task<DocumentChunks?> GetDocument(string documentId, CancellationToken cancellationToken = default);

    /// <param name="cancellationToken">The client's: cancelling it drops the query's pairs not yet in a running batch.</param>
    Task<SearchResponse> Search(SearchRequest request, CancellationToken cancellationToken = default);
}

/// <summary>Stateless reranking of documents a client sends (the Cohere-, Jina- and TEI-shaped APIs).</summary>
public interface IRerankGrain : IGrainWithIntegerKey
{
    Task<RerankResponse> Rerank(RerankRequest request, CancellationToken cancellationToken = default);

    /// <summary>Answers once the silo's models are loaded: the readiness probe.</summary>
    Task<ModelsInfo> Models();
}

/// <summary>
/// One upsert request ("tenant/index/job-id"), run as a job: accepted once validated and counted against the
/// quota, then embedded and stored in bounded slices, each its own grain calls, so no call runs near the
/// response timeout however large the request.
/// </summary>
public interface IIngestJobGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates the documents, reserves their quota and starts the job; answers when it has finished or
    /// after Indexing:UpsertWait, whichever is first. A job that fails within that wait throws its error.
    /// </summary>
    Task<IngestJobStatus> Start(DocumentInput[] documents, CancellationToken cancellationToken = default);

    /// <summary>Answers when the job has finished or after <paramref name="wait"/> (at most Indexing:UpsertWait).</summary>
    Task<IngestJobStatus> Wait(TimeSpan wait, CancellationToken cancellationToken = default);

    Task<IngestJobStatus> Status();
}

/// <summary>
/// Embeds chunk texts at ingestion with the bi-encoder of one silo: keyed by a silo address and placed on
/// that silo (as <see cref="IRerankSiloGrain"/>).
/// </summary>
public interface IEmbeddingSiloGrain : IGrainWithStringKey
{
    Task<float[][]> Embed(string[] texts, string biEncoder, CancellationToken cancellationToken = default);
}

/// <summary>
/// A silo's cross-encoder: keyed by a silo address and placed on that silo, it scores micro-batches
/// with that silo's batcher.
/// </summary>
public interface IRerankSiloGrain : IGrainWithStringKey
{
    /// <exception cref="OverloadedException">This silo's queue refused the batch; nothing was queued.</exception>
    Task<RerankBatchResult> Score(RerankBatch batch, CancellationToken cancellationToken = default);
}

