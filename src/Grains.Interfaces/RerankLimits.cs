namespace RerankCluster.Grains.Interfaces;

/// <summary>Bounds on a stateless rerank request, checked the same way by the gateway and the rerank grain.</summary>
public static class RerankLimits
{
    public const int MaxDocuments = 1000;

    /// <summary>Windows one document may be split into (max_chunks_per_doc): each is a pair the model scores.</summary>
    public const int MaxChunksPerDoc = 64;

    public static string? Problem(RerankRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Query))
        {
            return "query must not be empty.";
        }

        if (request.Query.Length > SearchLimits.MaxQueryCharacters)
        {
            return $"query is {request.Query.Length} characters; the limit is {SearchLimits.MaxQueryCharacters}.";
        }

        if (request.MaxTokensPerDoc < 1)
        {
            return $"max_tokens_per_doc must be at least 1 (got {request.MaxTokensPerDoc}).";
        }

        if (request.MaxChunksPerDoc is < 1 or > MaxChunksPerDoc)
        {
            return $"max_chunks_per_doc must be between 1 and {MaxChunksPerDoc} (got {request.MaxChunksPerDoc}).";
        }

        if (request.Documents.Length == 0)
        {
            return "documents must not be empty.";
        }

        if (request.Documents.Length > MaxDocuments)
        {
            return $"documents holds {request.Documents.Length} items; the limit is {MaxDocuments}.";
        }

        for (var i = 0; i < request.Documents.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(request.Documents[i]))
            {
                return $"documents[{i}] must not be empty.";
            }
        }

        return null;
    }
}
