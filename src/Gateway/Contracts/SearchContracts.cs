using System.Text.Json;

namespace RerankCluster.Gateway.Contracts;

public sealed record SearchBody(string? Query, int? TopK, int? Candidates, bool? ReturnDocuments, int? Stage1Depth);

/// <param name="Score">Raw cross-encoder logit: rank by it.</param>
/// <param name="Probability">sigmoid(score).</param>
public sealed record SearchHitBody(
    string Id, int Chunk, string? Text, JsonElement? Metadata, float Score, double Probability, int Stage1Rank, float Stage1Score);

public sealed record Stage1HitBody(string Id, int Chunk, float Score);

public sealed record TimingsBody(
    double EmbedMs, double Stage1Ms, double RerankMs, double QueueMs, double TokenizeMs, double InferenceMs, double TotalMs,
    int Candidates, int Batches, long PaddedTokens, string[] RerankSilos);

public sealed record ModelBody(string CrossEncoder, bool ScoresAreRelevance);

public sealed record SearchResponseBody(
    SearchHitBody[] Results, TimingsBody Timings, ModelBody Model, string[]? Warnings, Stage1HitBody[]? Stage1, bool Degraded = false);
