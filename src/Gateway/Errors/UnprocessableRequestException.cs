namespace RerankCluster.Gateway.Errors;

/// <summary>A well-formed body with a value the route does not know (e.g. TEI's truncation_direction): 422, as TEI answers.</summary>
public sealed class UnprocessableRequestException(string message) : Exception(message);
