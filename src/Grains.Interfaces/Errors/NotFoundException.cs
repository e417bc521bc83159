namespace RerankCluster.Grains.Interfaces;

/// <summary>An index, document, tenant or key that does not exist (or belongs to another tenant).</summary>
[GenerateSerializer]
public sealed class NotFoundException(string message) : RerankException(message);
