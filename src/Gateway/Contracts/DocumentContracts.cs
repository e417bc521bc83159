using System.Text.Json;

namespace RerankCluster.Gateway.Contracts;

public sealed record DocumentBody(string? Id, string? Text, JsonElement? Metadata);

public sealed record UpsertBody(DocumentBody[]? Documents);

public sealed record UpsertResponse(int Documents, int Chunks, int Replaced);
