namespace RerankCluster.Grains.Interfaces;

/// <summary>One micro-batch of passages to score against a query.</summary>
[GenerateSerializer, Immutable]
public sealed record RerankBatch(
    [property: Id(0)] string Query,
    [property: Id(1)] string[] Passages);

[GenerateSerializer, Immutable]
public sealed record RerankBatchResult(
    [property: Id(0)] float[] Logits,
    [property: Id(1)] string Silo,
    [property: Id(2)] double TokenizeMs,
    [property: Id(3)] double InferenceMs,
    [property: Id(4)] long PaddedTokens);
