using System.Text.Json;

namespace RerankCluster.Client.Contracts;

/// <param name="Filter">A metadata filter (Pinecone/Chroma operators: $eq, $ne, $in, $nin, $gt, $gte, $lt, $lte, $exists, $and, $or, $not), applied in each shard before its top-k.</param>
public sealed record SearchBody(
    string? Query, int? TopK, int? Candidates, bool? ReturnDocuments, int? Stage1Depth, double? Stage1Weight = null, JsonElement? Filter = null);

/// <param name="Score">Raw cross-encoder logit: rank by it.</param>
/// <param name="Probability">sigmoid(score).</param>
public sealed record SearchHitBody(
    string Id, int Chunk, string? Text, JsonElement? Metadata, float Score, double Probability, int Stage1Rank, float Stage1Score);

/// <param name="Score">Cosine similarity of the query and chunk embeddings.</param>
/// <param name="Text">The chunk's text when return_documents is true.</param>
public sealed record Stage1HitBody(string Id, int Chunk, float Score, string? Text = null);

public sealed record TimingsBody(
    double EmbedMs, double Stage1Ms, double RerankMs, double QueueMs, double TokenizeMs, double InferenceMs, double TotalMs,
    int Candidates, int Batches, long PaddedTokens, string[] RerankSilos);

/// <param name="Stage1Weight">Weight of the stage-1 cosine in the final order: (1 − w) · minmax(score) + w · minmax(stage1_score).</param>
public sealed record ModelBody(string CrossEncoder, bool ScoresAreRelevance, double Stage1Weight);

public sealed record SearchResponseBody(
    SearchHitBody[] Results, TimingsBody Timings, ModelBody Model, string[]? Warnings, Stage1HitBody[]? Stage1, bool Degraded = false);
