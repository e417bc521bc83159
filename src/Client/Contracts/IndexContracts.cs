namespace RerankCluster.Client.Contracts;

/// <param name="Replicas">In-memory copies of each shard on distinct silos (default: Indexing:DefaultReplicas when that many shard silos are active).</param>
/// <param name="Stage1">The stage-1 mode of searches that name none: dense, lexical or hybrid (default: the server's Stage1:Mode).</param>
public sealed record CreateIndexBody(int? Shards, string? BiEncoder, string? CrossEncoder, int? Replicas = null, string? Stage1 = null);

/// <param name="Stage1">The index's stage-1 mode; null: the server's Stage1:Mode.</param>
public sealed record IndexBody(string Name, int Shards, string BiEncoder, string CrossEncoder, DateTimeOffset CreatedAt, int? Documents, int? Chunks,
    ShardBody[]? ShardStats, int Replicas = 1, string? Stage1 = null);

/// <summary>GET /v1/indexes: the tenant's indexes by name, without shard statistics (GET one index for those).</summary>
public sealed record IndexListBody(IndexBody[] Indexes);

public sealed record ShardBody(int Shard, int Documents, int Chunks, string Silo);
