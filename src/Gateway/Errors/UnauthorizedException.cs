namespace RerankCluster.Gateway.Errors;

/// <summary>No key, or a key that is not valid: 401 with <see cref="Challenge"/> as WWW-Authenticate.</summary>
public sealed class UnauthorizedException(string message, string challenge = "Bearer") : Exception(message)
{
    public string Challenge { get; } = challenge;
}
