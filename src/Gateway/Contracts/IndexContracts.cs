namespace RerankCluster.Gateway.Contracts;

/// <param name="Replicas">In-memory copies of each shard on distinct silos (default: Indexing:DefaultReplicas when that many shard silos are active).</param>
public sealed record CreateIndexBody(int? Shards, string? BiEncoder, string? CrossEncoder, int? Replicas = null);

public sealed record IndexBody(string Name, int Shards, string BiEncoder, string CrossEncoder, DateTimeOffset CreatedAt, int? Documents, int? Chunks,
    ShardBody[]? ShardStats, int Replicas = 1);

public sealed record ShardBody(int Shard, int Documents, int Chunks, string Silo);
