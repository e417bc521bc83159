namespace RerankCluster.Grains.Interfaces;

/// <summary>One micro-batch of passages to score against a query, for a tenant (whose share of the silo it draws on).</summary>
/// <param name="RequestId">The query it is part of: a silo that admitted one part admits the others.</param>
[GenerateSerializer, Immutable]
public sealed record RerankBatch(
    [property: Id(0)] string Query,
    [property: Id(1)] string[] Passages,
    [property: Id(2)] string? Model = null,
    [property: Id(3)] string Tenant = RerankBatch.DefaultTenant,
    [property: Id(4)] string? RequestId = null)
{
    /// <summary>Requests of an open (keyless) gateway, and of callers that name no tenant.</summary>
    public const string DefaultTenant = "default";
}

/// <param name="SiloTokensPerSecond">The silo's measured model throughput (0 before its first model call), for load-aware dispatch.</param>
/// <param name="SiloQueuedTokens">Pair tokens waiting on the silo when it answered.</param>
[GenerateSerializer, Immutable]
public sealed record RerankBatchResult(
    [property: Id(0)] float[] Logits,
    [property: Id(1)] string Silo,
    [property: Id(2)] double TokenizeMs,
    [property: Id(3)] double InferenceMs,
    [property: Id(4)] long PaddedTokens,
    [property: Id(5)] long RealTokens,
    [property: Id(6)] double SiloTokensPerSecond = 0,
    [property: Id(7)] long SiloQueuedTokens = 0);

/// <summary>A stateless rerank: score every document against the query.</summary>
/// <param name="Model">A served cross-encoder (null: the default); any other name is refused.</param>
/// <param name="Tenant">The authenticated tenant, for fair queueing on the rerank silos.</param>
/// <param name="MaxTokensPerDoc">Each document is cut to this many tokens before scoring (null: only the model's maximum applies).</param>
/// <param name="Truncate">False: a pair longer than the model reads is refused (<see cref="InputTooLongException"/>) rather than cut.</param>
/// <param name="TruncateLeft">Cut an over-long document from its start, keeping its end (TEI's <c>truncation_direction: Left</c>).</param>
[GenerateSerializer, Immutable]
public sealed record RerankRequest(
    [property: Id(0)] string Query,
    [property: Id(1)] string[] Documents,
    [property: Id(2)] string? Model = null,
    [property: Id(3)] string Tenant = RerankBatch.DefaultTenant,
    [property: Id(4)] int? MaxTokensPerDoc = null,
    [property: Id(5)] bool Truncate = true,
    [property: Id(6)] bool TruncateLeft = false,
    [property: Id(7)] int? MaxChunksPerDoc = null);

/// <summary>Milliseconds spent by a rerank: waiting for workers, tokenising, in the model (slowest batch), in all.</summary>
[GenerateSerializer, Immutable]
public sealed record RerankTimings(
    [property: Id(0)] double QueueMs,
    [property: Id(1)] double TokenizeMs,
    [property: Id(2)] double InferenceMs,
    [property: Id(3)] double TotalMs,
    [property: Id(4)] int Batches,
    [property: Id(5)] long PaddedTokens,
    [property: Id(6)] long Tokens,
    [property: Id(7)] string[] Silos);

/// <param name="Logits">One raw logit per document, in request order.</param>
[GenerateSerializer, Immutable]
public sealed record RerankResponse(
    [property: Id(0)] float[] Logits,
    [property: Id(1)] RerankTimings Timings,
    [property: Id(2)] string Model,
    [property: Id(3)] bool ScoresAreRelevance);

/// <summary>The models a silo serves; asking for it loads them.</summary>
/// <param name="MaxInputLength">Most tokens of a (query, document) pair the default cross-encoder reads.</param>
/// <param name="MaxBatchTokens">Most padded tokens in one model call (Batching:MaxBatchTokens).</param>
[GenerateSerializer, Immutable]
public sealed record ModelsInfo(
    [property: Id(0)] string BiEncoder,
    [property: Id(1)] string CrossEncoder,
    [property: Id(2)] bool ScoresAreRelevance,
    [property: Id(3)] string Provider,
    [property: Id(4)] int MaxInputLength = 512,
    [property: Id(5)] long MaxBatchTokens = 0);
