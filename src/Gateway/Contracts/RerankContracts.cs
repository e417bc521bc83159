using System.Text.Json;

namespace RerankCluster.Gateway.Contracts;

/// <summary>Cohere (v1/v2) and Jina rerank request: documents are strings or objects with a text field.</summary>
public sealed record CohereRerankBody(string? Model, string? Query, JsonElement[]? Documents, int? TopN, bool? ReturnDocuments,
    int? MaxTokensPerDoc, int? MaxChunksPerDoc);

public sealed record RerankDocumentBody(string Text);

/// <param name="RelevanceScore">sigmoid of the cross-encoder's logit, in [0, 1].</param>
public sealed record CohereRerankResult(int Index, double RelevanceScore, RerankDocumentBody? Document);

public sealed record RerankUsageBody(long TotalTokens, long PromptTokens);

public sealed record BilledUnitsBody(int SearchUnits);

public sealed record RerankMetaBody(BilledUnitsBody BilledUnits, string[]? Warnings);

/// <summary>Both Cohere's (id, results, meta) and Jina's (model, results, usage) response fields.</summary>
public sealed record CohereRerankResponse(string Id, string Model, CohereRerankResult[] Results, RerankUsageBody Usage, RerankMetaBody Meta);

/// <summary>Hugging Face TEI's /rerank request.</summary>
public sealed record TeiRerankBody(string? Query, string[]? Texts, bool? RawScores, bool? ReturnText, bool? Truncate, string? TruncationDirection);

/// <param name="Score">sigmoid(logit), or the raw logit when raw_scores is true.</param>
public sealed record TeiRerankResult(int Index, double Score, string? Text);
