namespace RerankCluster.Grains.Interfaces;

/// <summary>Bounds on a search request, checked the same way by the gateway and by the query grain.</summary>
public static class SearchLimits
{
    public const int DefaultTopK = 5;
    public const int DefaultCandidates = 50;
    public const int MaxCandidates = 1000;
    public const int MaxQueryCharacters = 8192;

    /// <summary>RRF's k far above any depth searched makes every rank weigh the same: nothing to fuse by.</summary>
    public const int MaxRrfK = 100_000;

    /// <summary>Returns the first problem with the request, or null when it is valid.</summary>
    public static string? Problem(SearchRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Query))
        {
            return "query must not be empty.";
        }

        if (request.Query.Length > MaxQueryCharacters)
        {
            return $"query is {request.Query.Length} characters; the limit is {MaxQueryCharacters}.";
        }

        if (request.Candidates < 1 || request.Candidates > MaxCandidates)
        {
            return $"candidates must be between 1 and {MaxCandidates} (got {request.Candidates}).";
        }

        if (request.TopK < 1 || request.TopK > request.Candidates)
        {
            return $"top_k must be between 1 and candidates ({request.Candidates}) (got {request.TopK}).";
        }

        if (request.Stage1Weight is < 0 or > 1 or double.NaN)
        {
            return $"stage1_weight must be between 0 and 1 (got {request.Stage1Weight}).";
        }

        if (request.RrfK is < 1 or > MaxRrfK)
        {
            return $"rrf_k must be between 1 and {MaxRrfK} (got {request.RrfK}).";
        }

        if (request.LexicalWeight is < 0 or > 1 or double.NaN)
        {
            return $"lexical_weight must be between 0 and 1 (got {request.LexicalWeight}).";
        }

        if (request.Stage1Depth < 0 || request.Stage1Depth > MaxCandidates)
        {
            return $"stage1_depth must be between 0 and {MaxCandidates} (got {request.Stage1Depth}).";
        }

        return null;
    }
}
