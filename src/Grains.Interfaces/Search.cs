namespace RerankCluster.Grains.Interfaces;

/// <param name="Stage1Depth">When above 0, also return this many bi-encoder hits before reranking (for evaluation, and the workbench's stage-1 column).</param>
/// <param name="Stage1Weight">This search's weight of the stage-1 score in the final order; null: Rerank:Stage1Weight, else the model's.</param>
/// <param name="Stage1">Dense, lexical or hybrid candidates; null: the index's setting, else Stage1:Mode.</param>
/// <param name="Fusion">How hybrid fuses its two lists; null: Stage1:Fusion.</param>
/// <param name="RrfK">RRF's constant k; null: Stage1:RrfK.</param>
/// <param name="LexicalWeight">Linear fusion's weight of BM25; null: Stage1:LexicalWeight.</param>
/// <param name="GroupByDocument">One result per document, its best chunk (by the final order): top_k documents, not chunks.</param>
[GenerateSerializer, Immutable]
public sealed record SearchRequest(
    [property: Id(0)] string Query,
    [property: Id(1)] int TopK = SearchLimits.DefaultTopK,
    [property: Id(2)] int Candidates = SearchLimits.DefaultCandidates,
    [property: Id(3)] bool ReturnDocuments = true,
    [property: Id(4)] int Stage1Depth = 0,
    [property: Id(5)] double? Stage1Weight = null,
    [property: Id(7)] Stage1Mode? Stage1 = null,
    [property: Id(8)] Stage1Fusion? Fusion = null,
    [property: Id(9)] int? RrfK = null,
    [property: Id(10)] double? LexicalWeight = null,
    [property: Id(6)] string? Filter = null,
    [property: Id(11)] bool GroupByDocument = false);

/// <param name="Score">The cross-encoder's raw logit: rank by it, do not read it as a probability.</param>
/// <param name="Probability">sigmoid(Score).</param>
/// <param name="Stage1Rank">1-based rank stage 1 gave this chunk (the fused rank in hybrid mode).</param>
/// <param name="Stage1Score">Its stage-1 score: cosine (dense), corpus-wide BM25 (lexical) or the fused score (hybrid).</param>
[GenerateSerializer, Immutable]
public sealed record SearchResult(
    [property: Id(0)] string DocumentId,
    [property: Id(1)] int ChunkIndex,
    [property: Id(2)] string? Text,
    [property: Id(3)] string? MetadataJson,
    [property: Id(4)] float Score,
    [property: Id(5)] double Probability,
    [property: Id(6)] int Stage1Rank,
    [property: Id(7)] float Stage1Score);

/// <param name="Text">The chunk's text when the search asked for documents; null otherwise.</param>
[GenerateSerializer, Immutable]
public sealed record Stage1Hit(
    [property: Id(0)] string DocumentId,
    [property: Id(1)] int ChunkIndex,
    [property: Id(2)] float Score,
    [property: Id(3)] string? Text = null);

/// <summary>Wall-clock milliseconds of each stage of one query.</summary>
[GenerateSerializer, Immutable]
public sealed record SearchTimings(
    [property: Id(0)] double EmbedMs,
    [property: Id(1)] double Stage1Ms,
    [property: Id(2)] double TotalMs,
    [property: Id(3)] int Candidates,
    [property: Id(4)] RerankTimings Rerank);

/// <param name="Degraded">Why reranking was skipped, when the results are in stage-1 order; null when reranked.</param>
/// <param name="Stage1Weight">The weight of the stage-1 score in the final order (0: the reranker's order).</param>
/// <param name="Stage1Mode">How stage 1 found the candidates.</param>
/// <param name="Fusion">How a hybrid search fused its lists; null for dense and lexical.</param>
[GenerateSerializer, Immutable]
public sealed record SearchResponse(
    [property: Id(0)] SearchResult[] Results,
    [property: Id(1)] SearchTimings Timings,
    [property: Id(2)] string CrossEncoder,
    [property: Id(3)] bool ScoresAreRelevance,
    [property: Id(4)] Stage1Hit[] Stage1,
    [property: Id(5)] string? Degraded = null,
    [property: Id(6)] double Stage1Weight = 0,
    [property: Id(7)] Stage1Mode Stage1Mode = Stage1Mode.Dense,
    [property: Id(8)] Stage1Fusion? Fusion = null);
