namespace RerankCluster.Gateway.Errors;

/// <summary>A valid key of the wrong kind for the route, or a route that is switched off: 403.</summary>
public sealed class ForbiddenException(string message) : Exception(message);
