using System.Net;

namespace RerankCluster.Client.Errors;

/// <summary>409: the request contradicts what exists, such as an index created again with other settings.</summary>
public sealed class RerankConflictException(HttpStatusCode status, string detail, string? problemType, TimeSpan? retryAfter)
    : RerankApiException(status, detail, problemType, retryAfter);
