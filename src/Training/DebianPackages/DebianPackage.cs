namespace RerankCluster.Training.DebianPackages;

/// <summary>One binary package: its one-line summary (the query) and its long description (the passage).</summary>
public sealed record DebianPackage(string Name, string Source, string Summary, string LongDescription);
