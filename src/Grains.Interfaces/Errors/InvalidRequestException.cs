namespace RerankCluster.Grains.Interfaces;

/// <summary>The request itself is wrong (a field out of range, an unknown model name); the message says which field.</summary>
[GenerateSerializer]
public sealed class InvalidRequestException(string message) : RerankException(message);
