using System.Text.Json;

namespace RerankCluster.Client.Contracts;

/// <summary>Cohere v1 and Jina rerank request: documents are strings or objects (scored by text, or by rank_fields).</summary>
public sealed record CohereRerankBody(string? Model, string? Query, JsonElement[]? Documents, int? TopN, bool? ReturnDocuments,
    int? MaxTokensPerDoc, int? MaxChunksPerDoc, string[]? RankFields);

/// <param name="RelevanceScore">sigmoid of the cross-encoder's logit, in [0, 1].</param>
/// <param name="Document">With return_documents: an object document as the caller sent it, a string one as {text}.</param>
public sealed record CohereRerankResult(int Index, double RelevanceScore, JsonElement? Document);

public sealed record RerankUsageBody(long TotalTokens, long PromptTokens);

public sealed record BilledUnitsBody(int SearchUnits);

public sealed record ApiVersionBody(string Version);

public sealed record RerankMetaBody(ApiVersionBody ApiVersion, BilledUnitsBody BilledUnits, string[]? Warnings);

/// <summary>Both Cohere's (id, results, meta) and Jina's (model, results, usage) response fields.</summary>
public sealed record CohereRerankResponse(string Id, string Model, CohereRerankResult[] Results, RerankUsageBody Usage, RerankMetaBody Meta);

/// <summary>Cohere's v2 rerank request (/v2/rerank): documents are strings.</summary>
public sealed record CohereV2RerankBody(string? Model, string? Query, string[]? Documents, int? TopN, int? MaxTokensPerDoc);

public sealed record CohereV2RerankResult(int Index, double RelevanceScore);

public sealed record CohereV2RerankResponse(string Id, CohereV2RerankResult[] Results, RerankMetaBody Meta);

/// <summary>Hugging Face TEI's /rerank request.</summary>
public sealed record TeiRerankBody(string? Query, string[]? Texts, bool? RawScores, bool? ReturnText, bool? Truncate, string? TruncationDirection);

/// <param name="Score">sigmoid(logit), or the raw logit when raw_scores is true.</param>
public sealed record TeiRerankResult(int Index, double Score, string? Text);

/// <summary>TEI's error body, on TEI's routes (/rerank, /info, /health).</summary>
public sealed record TeiErrorBody(string Error, string ErrorType);

/// <summary>TEI's /info, for a reranker.</summary>
public sealed record TeiInfoBody(
    string ModelId, string? ModelSha, string ModelDtype, TeiModelTypeBody ModelType, int MaxConcurrentRequests, int MaxInputLength,
    long MaxBatchTokens, int? MaxBatchRequests, int MaxClientBatchSize, bool AutoTruncate, int TokenizationWorkers, string Version);

public sealed record TeiModelTypeBody(TeiRerankerBody Reranker);

public sealed record TeiRerankerBody(Dictionary<string, string> Id2label);
