namespace RerankCluster.Client.Contracts;

/// <param name="Replicas">In-memory copies of each shard on distinct silos (default: Indexing:DefaultReplicas when that many shard silos are active).</param>
public sealed record CreateIndexBody(int? Shards, string? BiEncoder, string? CrossEncoder, int? Replicas = null);

public sealed record IndexBody(string Name, int Shards, string BiEncoder, string CrossEncoder, DateTimeOffset CreatedAt, int? Documents, int? Chunks,
    ShardBody[]? ShardStats, int Replicas = 1);

/// <summary>GET /v1/indexes: the tenant's indexes by name, without shard statistics (GET one index for those).</summary>
public sealed record IndexListBody(IndexBody[] Indexes);

public sealed record ShardBody(int Shard, int Documents, int Chunks, string Silo);
