namespace RerankCluster.Grains.Interfaces;

/// <summary>A tenant's index ("tenant/index"): its settings, and the entry point for writes.</summary>
public interface IIndexGrain : IGrainWithStringKey
{
    /// <summary>Creates the index, or returns it unchanged when it exists with the same settings.</summary>
    Task<IndexInfo> Create(IndexSettings settings);

    Task<IndexInfo?> Get();

    Task<bool> Delete();

    /// <summary>Chunks, embeds and stores the documents; returns once every shard has stored them.</summary>
    Task<UpsertResult> Upsert(DocumentInput[] documents);

    Task<bool> DeleteDocument(string documentId);

    Task<ShardStats[]> Stats();
}

/// <summary>One partition of an index ("tenant/index/shard"): its chunks, embeddings and vector index.</summary>
public interface IShardGrain : IGrainWithStringKey
{
    /// <summary>Replaces every listed document's chunks; returns how many documents existed before.</summary>
    Task<int> Upsert(DocumentChunks[] documents);

    Task<int> Delete(string[] documentIds);

    /// <summary>How many of these documents the shard holds (for quotas: only new documents count).</summary>
    Task<int> CountExisting(string[] documentIds);

    Task<ShardHit[]> Search(float[] query, int k);

    Task<ShardStats> Stats();

    /// <summary>Forgets every chunk (the index is being deleted).</summary>
    Task Drop();
}

/// <summary>Answers searches of one index: embed, scatter to shards, gather, rerank in micro-batches.</summary>
public interface IQueryGrain : IGrainWithStringKey
{
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

/// <summary>Chunks and embeds documents on ingestion.</summary>
public interface IEmbeddingWorkerGrain : IGrainWithIntegerKey
{
    Task<DocumentChunks[]> Embed(DocumentInput[] documents, string biEncoder);
}

/// <summary>
/// A silo's cross-encoder: keyed by a silo address and placed on that silo, it scores micro-batches
/// with that silo's batcher.
/// </summary>
public interface IRerankSiloGrain : IGrainWithStringKey
{
    /// <exception cref="RerankOverloadedException">This silo's queue refused the batch; nothing was queued.</exception>
    Task<RerankBatchResult> Score(RerankBatch batch, CancellationToken cancellationToken = default);
}

