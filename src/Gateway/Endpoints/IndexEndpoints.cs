using System.Text.Json;
using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Client.Contracts;
using RerankCluster.Gateway.Resilience;
using RerankCluster.Gateway.Security;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Endpoints;

/// <summary>/v1/indexes: list, create, inspect and delete a tenant's indexes; upsert (as jobs), get and delete documents; search.</summary>
public static class IndexEndpoints
{
    public static IEndpointRouteBuilder MapIndexEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/indexes", async (HttpContext http, IGrainFactory grains) =>
        {
            // The tenant's quota grain holds its index names; each index grain holds its settings.
            var names = await grains.GetGrain<IQuotaGrain>(http.Tenant()).Indexes();
            var infos = await Task.WhenAll(names.Select(name => Index(grains, http, name).Get()));
            return Results.Ok(new IndexListBody(infos.OfType<IndexInfo>()
                .Select(Settings)
                .ToArray()));
        }).AddEndpointFilter<TenantAuthorizationFilter>().WithTags("indexes");

        var indexes = app.MapGroup("/v1/indexes/{index}").AddEndpointFilter<TenantAuthorizationFilter>().WithTags("indexes");

        indexes.MapPut("", async (string index, CreateIndexBody? body, HttpContext http, IGrainFactory grains) =>
        {
            if (body?.Replicas is < 1)
            {
                throw new ArgumentException($"replicas must be at least 1 (got {body.Replicas}).");
            }

            var info = await Index(grains, http, index).Create(
                new IndexSettings(body?.Shards ?? IndexSettings.DefaultShards, body?.BiEncoder, body?.CrossEncoder,
                    body?.Replicas ?? IndexSettings.DefaultReplicas, Stage1Names.Mode(body?.Stage1, "stage1")));
            return Results.Ok(Settings(info));
        });

        indexes.MapGet("", async (string index, HttpContext http, IGrainFactory grains) =>
        {
            var grain = Index(grains, http, index);
            var info = await grain.Get() ?? throw new NotFoundException($"Index '{index}' does not exist.");
            var stats = await grain.Stats();
            return Results.Ok(new IndexBody(info.Name, info.Shards, info.BiEncoder, info.CrossEncoder, info.CreatedAt,
                stats.Sum(s => s.Documents), stats.Sum(s => s.Chunks),
                stats.Select(s => new ShardBody(s.Shard, s.Documents, s.Chunks, s.Silo)).ToArray(), info.Replicas, Stage1Name(info)));
        });

        indexes.MapDelete("", async (string index, HttpContext http, IGrainFactory grains) =>
            await Index(grains, http, index).Delete() ? Results.NoContent() : throw new NotFoundException($"Index '{index}' does not exist."));

        indexes.MapPost("/documents", async (string index, UpsertBody body, HttpContext http, IGrainFactory grains, IOptions<LimitsOptions> limits,
            IdempotentRetry retry) =>
        {
            var documents = body.Documents ?? throw new ArgumentException("documents is required.");
            RequestLimits.RequireCount(documents.Length, limits.Value.MaxDocumentsPerRequest, "documents", nameof(LimitsOptions.MaxDocumentsPerRequest));
            for (var i = 0; i < documents.Length; i++)
            {
                RequestLimits.RequireTextLength(documents[i]?.Text, limits.Value, $"documents[{i}].text");
            }

            // Every upsert is a job; one that finishes within Indexing:UpsertWait answers as a plain write. A job that
            // could not start, or whose silo left, is started again as a new job: re-upserting an id replaces it.
            var inputs = documents.Select(ResponseMapping.ToInput).ToArray();
            var job = await retry.Run(token => Job(grains, http, index, IngestJobKey.NewId()).Start(inputs, token), http.RequestAborted);
            return job.Finished
                ? Results.Ok(new UpsertResponse(job.Documents, job.Chunks, job.Replaced, job.JobId))
                : Results.Accepted($"/v1/indexes/{index}/jobs/{job.JobId}", ResponseMapping.ToBody(job));
        });

        indexes.MapGet("/jobs/{job}", async (string index, string job, HttpContext http, IGrainFactory grains) =>
            IngestJobKey.IsValidId(job)
                ? Results.Ok(ResponseMapping.ToBody(await Job(grains, http, index, job).Status()))
                : throw new NotFoundException($"Upsert job '{job}' of index '{index}' is unknown."));

        indexes.MapGet("/documents/{id}", async (string index, string id, HttpContext http, IGrainFactory grains, IdempotentRetry retry) =>
        {
            var indexKey = IndexKey.For(http.Tenant(), index);
            return await retry.Read(indexKey, (entry, token) => grains.GetGrain<IQueryGrain>(entry, indexKey).GetDocument(id, token), http.RequestAborted)
                is { } document
                ? Results.Ok(ResponseMapping.ToBody(document))
                : throw new NotFoundException($"Document '{id}' is not in index '{index}'.");
        });

        indexes.MapDelete("/documents/{id}", async (string index, string id, HttpContext http, IGrainFactory grains) =>
            await Index(grains, http, index).DeleteDocument(id)
                ? Results.NoContent()
                : throw new NotFoundException($"Document '{id}' is not in index '{index}'."));

        indexes.MapPost("/search", async (string index, SearchBody body, HttpContext http, IGrainFactory grains, IOptions<LimitsOptions> limits,
            IdempotentRetry retry) =>
        {
            RequestLimits.RequireAtMost(body.Candidates, limits.Value.MaxCandidates, "candidates", nameof(LimitsOptions.MaxCandidates));
            RequestLimits.RequireAtMost(body.TopK, limits.Value.MaxTopN, "top_k", nameof(LimitsOptions.MaxTopN));
            var request = new SearchRequest(
                body.Query ?? "",
                body.TopK ?? SearchLimits.DefaultTopK,
                body.Candidates ?? SearchLimits.DefaultCandidates,
                body.ReturnDocuments ?? true,
                body.Stage1Depth ?? 0,
                body.Stage1Weight,
                Stage1Names.Mode(body.Stage1, "stage1"),
                Stage1Names.Fusion(body.Stage1Fusion, "stage1_fusion"),
                body.RrfK,
                body.LexicalWeight,
                body.Filter is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } filter ? filter.GetRawText() : null,
                body.GroupByDocument ?? false);
            if (SearchLimits.Problem(request) is { } problem)
            {
                throw new ArgumentException(problem);
            }

            var indexKey = IndexKey.For(http.Tenant(), index);
            var response = await retry.Read(indexKey, (entry, token) => grains.GetGrain<IQueryGrain>(entry, indexKey).Search(request, token), http.RequestAborted);
            ResponseMapping.ReportTimings(http.Response, "search", response.Timings.Rerank, response.Timings.TotalMs, response.Timings);
            return Results.Ok(ResponseMapping.ToBody(response));
        });

        return app;
    }

    /// <summary>An index's settings alone, without document counts or shard statistics.</summary>
    private static IndexBody Settings(IndexInfo info) =>
        new(info.Name, info.Shards, info.BiEncoder, info.CrossEncoder, info.CreatedAt, null, null, null, info.Replicas, Stage1Name(info));

    private static string? Stage1Name(IndexInfo info) => info.Stage1 is { } mode ? Stage1Names.Of(mode) : null;

    private static IIndexGrain Index(IGrainFactory grains, HttpContext http, string index) =>
        grains.GetGrain<IIndexGrain>(IndexKey.For(http.Tenant(), index));

    private static IIngestJobGrain Job(IGrainFactory grains, HttpContext http, string index, string job) =>
        grains.GetGrain<IIngestJobGrain>(IngestJobKey.For(IndexKey.For(http.Tenant(), index), job));
}
