namespace RerankCluster.Cli.Load;

/// <summary>What happened to one request: when it was due, how long it took, how it ended, and what the server said it spent.</summary>
/// <param name="Error">For a failed request, the start of what the server said (its problem detail), or why no answer came.</param>
public sealed record LoadSample(string Kind, double StartSeconds, double LatencyMs, int Status, double? ServerTotalMs, double? ServerInferenceMs,
    double? ServerQueueMs, string? Tag = null, string? Error = null);
