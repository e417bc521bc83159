namespace RerankCluster.Grains.Interfaces;

/// <summary>The request contradicts existing state: an index created again with other settings, a tenant that exists.</summary>
[GenerateSerializer]
public sealed class ConflictException(string message) : RerankException(message);
