using RerankCluster.Gateway.Contracts;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Endpoints;

/// <summary>/v1/indexes: create, inspect and delete indexes; upsert and delete documents; search.</summary>
public static class IndexEndpoints
{
    /// <summary>The tenant every request belongs to until the gateway authenticates tenants.</summary>
    public const string DefaultTenant = "default";

    public const int MaxDocumentsPerRequest = 1000;

    public static IEndpointRouteBuilder MapIndexEndpoints(this IEndpointRouteBuilder app)
    {
        var indexes = app.MapGroup("/v1/indexes/{index}").WithTags("indexes");

        indexes.MapPut("", async (string index, CreateIndexBody? body, IGrainFactory grains) =>
        {
            var info = await Index(grains, index).Create(new IndexSettings(body?.Shards ?? IndexSettings.DefaultShards));
            return Results.Ok(new IndexBody(info.Name, info.Shards, info.CreatedAt, null, null, null));
        });

        indexes.MapGet("", async (string index, IGrainFactory grains) =>
        {
            var grain = Index(grains, index);
            var info = await grain.Get() ?? throw new KeyNotFoundException($"Index '{index}' does not exist.");
            var stats = await grain.Stats();
            return Results.Ok(new IndexBody(info.Name, info.Shards, info.CreatedAt,
                stats.Sum(s => s.Documents), stats.Sum(s => s.Chunks),
                stats.Select(s => new ShardBody(s.Shard, s.Documents, s.Chunks, s.Silo)).ToArray()));
        });

        indexes.MapDelete("", async (string index, IGrainFactory grains) =>
            await Index(grains, index).Delete() ? Results.NoContent() : throw new KeyNotFoundException($"Index '{index}' does not exist."));

        indexes.MapPost("/documents", async (string index, UpsertBody body, IGrainFactory grains) =>
        {
            var documents = body.Documents ?? throw new ArgumentException("documents is required.");
            if (documents.Length > MaxDocumentsPerRequest)
            {
                throw new ArgumentException($"documents holds {documents.Length} items; the limit is {MaxDocumentsPerRequest} per request.");
            }

            var result = await Index(grains, index).Upsert(documents.Select(ResponseMapping.ToInput).ToArray());
            return Results.Ok(new UpsertResponse(result.Documents, result.Chunks, result.Replaced));
        });

        indexes.MapDelete("/documents/{id}", async (string index, string id, IGrainFactory grains) =>
            await Index(grains, index).DeleteDocument(id)
                ? Results.NoContent()
                : throw new KeyNotFoundException($"Document '{id}' is not in index '{index}'."));

        indexes.MapPost("/search", async (string index, SearchBody body, IGrainFactory grains, HttpResponse http) =>
        {
            var request = new SearchRequest(
                body.Query ?? "",
                body.TopK ?? SearchLimits.DefaultTopK,
                body.Candidates ?? SearchLimits.DefaultCandidates,
                body.ReturnDocuments ?? true,
                body.Stage1Depth ?? 0);
            if (SearchLimits.Problem(request) is { } problem)
            {
                throw new ArgumentException(problem);
            }

            var response = await grains.GetGrain<IQueryGrain>(IndexKey.For(DefaultTenant, index)).Search(request);
            ResponseMapping.AddTimingHeaders(http, response.Timings);
            return Results.Ok(ResponseMapping.ToBody(response));
        });

        return app;
    }

    private static IIndexGrain Index(IGrainFactory grains, string index) =>
        grains.GetGrain<IIndexGrain>(IndexKey.For(DefaultTenant, index));
}
