namespace RerankCluster.Gateway.Contracts;

public sealed record CreateIndexBody(int? Shards);

public sealed record IndexBody(string Name, int Shards, DateTimeOffset CreatedAt, int? Documents, int? Chunks, ShardBody[]? ShardStats);

public sealed record ShardBody(int Shard, int Documents, int Chunks, string Silo);
