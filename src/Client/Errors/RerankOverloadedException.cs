using System.Net;

namespace RerankCluster.Client.Errors;

/// <summary>429 or 503 still answered after the retries: RetryAfter says when the server expects to take it.</summary>
public sealed class RerankOverloadedException(HttpStatusCode status, string detail, string? problemType, TimeSpan? retryAfter)
    : RerankApiException(status, detail, problemType, retryAfter);
