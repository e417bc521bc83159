namespace RerankCluster.Gateway.Contracts;

public sealed record CreateIndexBody(int? Shards, string? BiEncoder, string? CrossEncoder);

public sealed record IndexBody(string Name, int Shards, string BiEncoder, string CrossEncoder, DateTimeOffset CreatedAt, int? Documents, int? Chunks,
    ShardBody[]? ShardStats);

public sealed record ShardBody(int Shard, int Documents, int Chunks, string Silo);
