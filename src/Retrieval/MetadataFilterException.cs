namespace RerankCluster.Retrieval;

/// <summary>A malformed search filter; the message names the path (for example <c>filter.$or[1].year.$gt</c>).</summary>
public sealed class MetadataFilterException(string message) : ArgumentException(message);
