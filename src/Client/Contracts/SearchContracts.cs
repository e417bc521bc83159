using System.Text.Json;

namespace RerankCluster.Client.Contracts;

/// <param name="Stage1">How stage 1 finds candidates: dense (bi-encoder), lexical (BM25) or hybrid (both, fused); null: the index's default.</param>
/// <param name="Stage1Fusion">Hybrid's fusion: rrf (reciprocal rank) or linear (min-max normalised scores).</param>
/// <param name="RrfK">RRF's constant k (above 0).</param>
/// <param name="LexicalWeight">Linear fusion's weight of BM25 in [0, 1]; the cosine gets 1 − w.</param>
/// <param name="GroupByDocument">One result per document (its best chunk): top_k documents rather than top_k chunks.</param>
/// <param name="Filter">A metadata filter (Pinecone/Chroma operators: $eq, $ne, $in, $nin, $gt, $gte, $lt, $lte, $exists, $and, $or, $not), applied in each shard before its top-k.</param>
public sealed record SearchBody(string? Query, int? TopK, int? Candidates, bool? ReturnDocuments, int? Stage1Depth, double? Stage1Weight = null,
    string? Stage1 = null, string? Stage1Fusion = null, int? RrfK = null, double? LexicalWeight = null, JsonElement? Filter = null,
    bool? GroupByDocument = null);

/// <param name="Score">Raw cross-encoder logit: rank by it.</param>
/// <param name="Probability">sigmoid(score).</param>
public sealed record SearchHitBody(
    string Id, int Chunk, string? Text, JsonElement? Metadata, float Score, double Probability, int Stage1Rank, float Stage1Score);

/// <param name="Score">The stage-1 score: cosine similarity (dense), index-wide BM25 (lexical) or the fused score (hybrid).</param>
/// <param name="Text">The chunk's text when return_documents is true.</param>
public sealed record Stage1HitBody(string Id, int Chunk, float Score, string? Text = null);

public sealed record TimingsBody(
    double EmbedMs, double Stage1Ms, double RerankMs, double QueueMs, double TokenizeMs, double InferenceMs, double TotalMs,
    int Candidates, int Batches, long PaddedTokens, string[] RerankSilos);

/// <param name="Stage1Weight">Weight of the stage-1 score in the final order: (1 − w) · minmax(score) + w · minmax(stage1_score).</param>
/// <param name="Stage1">The stage-1 mode the search ran: dense, lexical or hybrid.</param>
/// <param name="Stage1Fusion">Hybrid's fusion (rrf or linear); null otherwise.</param>
public sealed record ModelBody(string CrossEncoder, bool ScoresAreRelevance, double Stage1Weight, string Stage1 = "dense", string? Stage1Fusion = null);

public sealed record SearchResponseBody(
    SearchHitBody[] Results, TimingsBody Timings, ModelBody Model, string[]? Warnings, Stage1HitBody[]? Stage1, bool Degraded = false);
