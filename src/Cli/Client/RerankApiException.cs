using System.Net;

namespace RerankCluster.Cli.Client;

/// <summary>An error answer of the HTTP API, with the problem details' message.</summary>
public sealed class RerankApiException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}
