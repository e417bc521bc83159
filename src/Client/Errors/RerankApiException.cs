using System.Net;

namespace RerankCluster.Client.Errors;

/// <summary>
/// An error answer of the HTTP API: its status, the server's message (problem details' <c>detail</c>, or TEI's
/// <c>error</c>), the problem <c>type</c> and Retry-After when the server sent them. The subclasses name the
/// statuses a caller branches on; <see cref="ApiErrors"/> picks one.
/// </summary>
public class RerankApiException(HttpStatusCode status, string detail, string? problemType = null, TimeSpan? retryAfter = null)
    : Exception($"{(int)status} {status}: {detail}")
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>The server's own words, without the status.</summary>
    public string Detail { get; } = detail;

    public string? ProblemType { get; } = problemType;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}
