namespace RerankCluster.Cli.Load;

/// <summary>What happened to one request: when it was due, how long it took, how it ended, and what the server said it spent.</summary>
public sealed record LoadSample(string Kind, double StartSeconds, double LatencyMs, int Status, double? ServerTotalMs, double? ServerInferenceMs,
    double? ServerQueueMs, string? Tag = null);
