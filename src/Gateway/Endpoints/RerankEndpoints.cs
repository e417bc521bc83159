using System.Text.Json;
using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Client.Contracts;
using RerankCluster.Gateway.Errors;
using RerankCluster.Gateway.Resilience;
using RerankCluster.Gateway.Security;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Endpoints;

/// <summary>
/// Stateless reranking in the shapes existing clients already speak: Cohere v1 and Jina at /v1/rerank,
/// Cohere v2 at /v2/rerank, Hugging Face TEI at /rerank (with its /info and /health, and its error shape).
/// Long inputs are truncated (longest first), unless TEI's truncate is false (413) or its
/// truncation_direction is Left; max_tokens_per_doc cuts each document to that many tokens first.
/// </summary>
public static class RerankEndpoints
{
    /// <summary>The entries of the stateless rerank API, one set for every tenant (<see cref="ReadEntries"/>).</summary>
    private const string RerankScope = "rerank";

    public static IEndpointRouteBuilder MapRerankEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/rerank", async (CohereRerankBody body, HttpContext http, IGrainFactory grains, IOptions<LimitsOptions> limits,
                IdempotentRetry retry) =>
            {
                CohereDocumentText.Validate(body.RankFields);
                var given = body.Documents ?? throw new ArgumentException("documents is required.");
                var documents = given.Select((document, i) => CohereDocumentText.Of(document, i, body.RankFields)).ToArray();
                var response = await Rerank(grains, retry, http, new RerankRequest(body.Query ?? "", documents, body.Model, MaxTokensPerDoc: body.MaxTokensPerDoc, MaxChunksPerDoc: body.MaxChunksPerDoc),
                    body.TopN, limits.Value);
                var results = Ranked(response.Logits)
                    .Take(body.TopN ?? documents.Length)
                    .Select(i => new CohereRerankResult(i, Logits.Probability(response.Logits[i]),
                        body.ReturnDocuments != true ? null
                        : given[i].ValueKind == JsonValueKind.Object ? given[i] // the caller's fields, as sent
                        : JsonSerializer.SerializeToElement(new { text = documents[i] })))
                    .ToArray();
                return Results.Ok(new CohereRerankResponse(
                    Guid.NewGuid().ToString(),
                    response.Model,
                    results,
                    new RerankUsageBody(response.Timings.Tokens, response.Timings.Tokens),
                    Meta("1", response)));
            })
            .AddEndpointFilter<TenantAuthorizationFilter>()
            .WithTags("rerank");

        // Cohere's v2 client (CohereClientV2, the AI SDK's cohere provider) posts here.
        app.MapPost("/v2/rerank", async (CohereV2RerankBody body, HttpContext http, IGrainFactory grains, IOptions<LimitsOptions> limits,
                IdempotentRetry retry) =>
            {
                var documents = body.Documents ?? throw new ArgumentException("documents is required.");
                var response = await Rerank(grains, retry, http, new RerankRequest(body.Query ?? "", documents, body.Model, MaxTokensPerDoc: body.MaxTokensPerDoc),
                    body.TopN, limits.Value);
                var results = Ranked(response.Logits)
                    .Take(body.TopN ?? documents.Length)
                    .Select(i => new CohereV2RerankResult(i, Logits.Probability(response.Logits[i])))
                    .ToArray();
                return Results.Ok(new CohereV2RerankResponse(Guid.NewGuid().ToString(), results, Meta("2", response)));
            })
            .AddEndpointFilter<TenantAuthorizationFilter>()
            .WithTags("rerank");

        app.MapPost("/rerank", async (TeiRerankBody body, HttpContext http, IGrainFactory grains, IOptions<LimitsOptions> limits,
                IdempotentRetry retry) =>
            {
                var texts = body.Texts ?? throw new ArgumentException("texts is required.");
                var fromLeft = body.TruncationDirection switch
                {
                    null or "Right" => false,
                    "Left" => true,
                    _ => throw new UnprocessableRequestException(
                        $"truncation_direction: unknown variant `{body.TruncationDirection}`, expected `Left` or `Right`."),
                };
                var response = await Rerank(grains, retry, http,
                    new RerankRequest(body.Query ?? "", texts, Truncate: body.Truncate ?? true, TruncateLeft: fromLeft), null, limits.Value);
                return Results.Ok(Ranked(response.Logits)
                    .Select(i => new TeiRerankResult(i, body.RawScores == true ? response.Logits[i] : Logits.Probability(response.Logits[i]),
                        body.ReturnText == true ? texts[i] : null))
                    .ToArray());
            })
            .AddEndpointFilter<TenantAuthorizationFilter>()
            .WithTags("rerank");

        // TEI's probes: 200 while a silo answers with its models loaded; what the served reranker reads.
        app.MapGet("/health", async (IGrainFactory grains) =>
        {
            await grains.GetGrain<IRerankGrain>(ReadEntry.Any()).Models().WaitAsync(TimeSpan.FromSeconds(10));
            return Results.Ok();
        }).WithTags("rerank");
        app.MapGet("/info", async (IGrainFactory grains, IOptions<LimitsOptions> limits) =>
        {
            var models = await grains.GetGrain<IRerankGrain>(ReadEntry.Any()).Models().WaitAsync(TimeSpan.FromSeconds(10));
            return Results.Ok(new TeiInfoBody(models.CrossEncoder, null, "float32", new TeiModelTypeBody(new TeiRerankerBody(new() { ["0"] = "LABEL_0" })),
                limits.Value.MaxConcurrentRequests, models.MaxInputLength, models.MaxBatchTokens, null, limits.Value.MaxRerankDocuments, true,
                Environment.ProcessorCount, "rerankcluster"));
        }).WithTags("rerank");
        return app;
    }

    /// <summary>The routes that speak TEI's protocol, errors included.</summary>
    public static bool IsTeiRoute(PathString path) => path == "/rerank" || path == "/info" || path == "/health";

    private static async Task<RerankResponse> Rerank(IGrainFactory grains, IdempotentRetry retry, HttpContext http, RerankRequest request,
        int? topN, LimitsOptions limits)
    {
        RequestLimits.RequireAtMost(topN, limits.MaxTopN, "top_n", nameof(LimitsOptions.MaxTopN));
        if (topN < 1)
        {
            throw new ArgumentException($"top_n must be at least 1 (got {topN}).");
        }

        RequestLimits.RequireCount(request.Documents.Length, limits.MaxRerankDocuments, "documents", nameof(LimitsOptions.MaxRerankDocuments));
        for (var i = 0; i < request.Documents.Length; i++)
        {
            RequestLimits.RequireTextLength(request.Documents[i], limits, $"documents[{i}]");
        }

        request = request with { Tenant = http.Tenant() };
        if (RerankLimits.Problem(request) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        var response = await retry.Read(RerankScope, (entry, token) => grains.GetGrain<IRerankGrain>(entry).Rerank(request, token), http.RequestAborted);
        ResponseMapping.ReportTimings(http.Response, "rerank", response.Timings, response.Timings.TotalMs);
        return response;
    }

    /// <summary>Cohere's meta: the API version the route speaks, one search unit, and the test-model warning when it applies.</summary>
    private static RerankMetaBody Meta(string version, RerankResponse response) =>
        new(new ApiVersionBody(version), new BilledUnitsBody(1), response.ScoresAreRelevance ? null : [ResponseMapping.NotRelevanceWarning]);

    /// <summary>Indices by descending logit; ties keep request order.</summary>
    private static IEnumerable<int> Ranked(float[] logits) =>
        Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i);
}
