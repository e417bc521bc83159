using System.Text.Json;

namespace RerankCluster.Client.Contracts;

public sealed record DocumentBody(string? Id, string? Text, JsonElement? Metadata);

/// <summary>A stored document (GET /v1/indexes/{index}/documents/{id}): its metadata and the overlapping chunks it was split into.</summary>
public sealed record StoredDocumentBody(string Id, JsonElement? Metadata, StoredChunkBody[] Chunks);

public sealed record StoredChunkBody(int Index, string Text, int Tokens);

public sealed record UpsertBody(DocumentBody[]? Documents);

/// <summary>An upsert that finished within Indexing:UpsertWait (200): every document is stored.</summary>
public sealed record UpsertResponse(int Documents, int Chunks, int Replaced, string? JobId);

/// <summary>
/// An upsert job (202, and GET /v1/indexes/{index}/jobs/{job_id}): status running, succeeded or failed;
/// documents count as stored only once <c>stored</c> includes them.
/// </summary>
public sealed record IngestJobBody(
    string JobId,
    string Status,
    int Documents,
    int Stored,
    int Chunks,
    int Replaced,
    string[] Errors,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt)
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
}
