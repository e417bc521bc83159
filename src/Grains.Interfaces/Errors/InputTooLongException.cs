namespace RerankCluster.Grains.Interfaces;

/// <summary>An input longer than the model reads, where the caller asked not to truncate (TEI's <c>truncate: false</c>): 413.</summary>
[GenerateSerializer]
public sealed class InputTooLongException(string message) : RerankException(message);
