namespace RerankCluster.Grains.Interfaces;

/// <summary>A served model could not be loaded (not pulled, a failed pull, unreadable files); the next request tries again.</summary>
[GenerateSerializer]
public sealed class ModelUnavailableException(string message) : RerankException(message);
