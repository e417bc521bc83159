namespace RerankCluster.Grains.Interfaces;

/// <param name="Shards">Number of shards; <see cref="DefaultShards"/> lets the silo's configuration decide.</param>
/// <param name="BiEncoder">A served bi-encoder's name; null for the cluster's default.</param>
/// <param name="CrossEncoder">A served cross-encoder's name; null for the cluster's default.</param>
/// <param name="Replicas">In-memory copies of each shard on distinct silos; 0: Indexing:DefaultReplicas when that many shard silos are active, else 1.</param>
/// <param name="Stage1">The stage-1 mode of a search that names none; null: Stage1:Mode.</param>
[GenerateSerializer, Immutable]
public sealed record IndexSettings(
    [property: Id(0)] int Shards,
    [property: Id(1)] string? BiEncoder = null,
    [property: Id(2)] string? CrossEncoder = null,
    [property: Id(3)] int Replicas = IndexSettings.DefaultReplicas,
    [property: Id(4)] Stage1Mode? Stage1 = null)
{
    public const int DefaultShards = 0;

    public const int DefaultReplicas = 0;
}

[GenerateSerializer, Immutable]
public sealed record IndexInfo(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Name,
    [property: Id(2)] int Shards,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] string BiEncoder,
    [property: Id(5)] string CrossEncoder,
    [property: Id(6)] int Replicas = 1,
    [property: Id(7)] Stage1Mode? Stage1 = null);

[GenerateSerializer, Immutable]
public sealed record ShardStats(
    [property: Id(0)] int Shard,
    [property: Id(1)] int Documents,
    [property: Id(2)] int Chunks,
    [property: Id(3)] string Silo);

[GenerateSerializer, Immutable]
public sealed record ShardHit(
    [property: Id(0)] string DocumentId,
    [property: Id(1)] int ChunkIndex,
    [property: Id(2)] string Text,
    [property: Id(3)] string? MetadataJson,
    [property: Id(4)] int TokenCount,
    [property: Id(5)] float Score);
