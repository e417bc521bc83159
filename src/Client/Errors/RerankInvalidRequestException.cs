using System.Net;

namespace RerankCluster.Client.Errors;

/// <summary>400, 413 or 422: a field of the request is wrong, named in Detail.</summary>
public sealed class RerankInvalidRequestException(HttpStatusCode status, string detail, string? problemType, TimeSpan? retryAfter)
    : RerankApiException(status, detail, problemType, retryAfter);
