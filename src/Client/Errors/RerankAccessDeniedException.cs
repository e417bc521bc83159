using System.Net;

namespace RerankCluster.Client.Errors;

/// <summary>401 or 403: no key, a wrong key, the wrong kind of key, or a tenant quota.</summary>
public sealed class RerankAccessDeniedException(HttpStatusCode status, string detail, string? problemType, TimeSpan? retryAfter)
    : RerankApiException(status, detail, problemType, retryAfter);
