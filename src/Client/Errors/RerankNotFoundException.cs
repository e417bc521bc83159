using System.Net;

namespace RerankCluster.Client.Errors;

/// <summary>404: no such index, document or job (another tenant's index is not found either).</summary>
public sealed class RerankNotFoundException(HttpStatusCode status, string detail, string? problemType, TimeSpan? retryAfter)
    : RerankApiException(status, detail, problemType, retryAfter);
