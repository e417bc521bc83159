namespace RerankCluster.Grains.Interfaces;

/// <summary>A document as a user sends it; metadata is kept as the raw JSON it arrived as.</summary>
[GenerateSerializer, Immutable]
public sealed record DocumentInput(
    [property: Id(0)] string Id,
    [property: Id(1)] string Text,
    [property: Id(2)] string? MetadataJson = null);

/// <summary>One window of a document with its embedding, as a shard stores it.</summary>
[GenerateSerializer, Immutable]
public sealed record StoredChunk(
    [property: Id(0)] string DocumentId,
    [property: Id(1)] int ChunkIndex,
    [property: Id(2)] string Text,
    [property: Id(3)] string? MetadataJson,
    [property: Id(4)] int TokenCount,
    [property: Id(5)] float[] Embedding);

/// <summary>All chunks of one document: a shard replaces a document's chunks as a whole.</summary>
[GenerateSerializer, Immutable]
public sealed record DocumentChunks(
    [property: Id(0)] string DocumentId,
    [property: Id(1)] StoredChunk[] Chunks);
