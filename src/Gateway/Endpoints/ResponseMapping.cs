using System.Text.Json;
using RerankCluster.Configuration.Telemetry;
using RerankCluster.Client.Contracts;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Endpoints;

/// <summary>Grain messages to HTTP bodies and back.</summary>
public static class ResponseMapping
{
    public const string NotRelevanceWarning =
        "The cross-encoder is the derived test model: real compute, untrained head. Its scores and this ranking are NOT relevance; configure CrossEncoder:Model.";

    public static IngestJobBody ToBody(IngestJobStatus job) => new(job.JobId, job.State.ToString().ToLowerInvariant(), job.Documents, job.Stored,
        job.Chunks, job.Replaced, job.Errors, job.CreatedAt, job.FinishedAt);

    public static DocumentInput ToInput(DocumentBody? body, int position)
    {
        if (body is null)
        {
            throw new ArgumentException($"documents[{position}] must be an object with id and text, not null.");
        }

        if (body.Metadata is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            throw new ArgumentException($"documents[{position}].metadata must be a JSON object.");
        }

        string? metadata;
        try
        {
            metadata = body.Metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : null;
        }
        catch (InvalidOperationException)
        {
            throw new ArgumentException($"documents[{position}].metadata is not valid UTF-8 JSON.");
        }

        return new DocumentInput(body.Id ?? "", body.Text ?? "", metadata);
    }

    /// <summary>Every chunk carries the document's metadata; the body states it once.</summary>
    public static StoredDocumentBody ToBody(DocumentChunks document) => new(
        document.DocumentId,
        Metadata(document.Chunks.FirstOrDefault()?.MetadataJson),
        document.Chunks.OrderBy(c => c.ChunkIndex).Select(c => new StoredChunkBody(c.ChunkIndex, c.Text, c.TokenCount)).ToArray());

    public static SearchResponseBody ToBody(SearchResponse response) => new(
        response.Results.Select(r => new SearchHitBody(
            r.DocumentId, r.ChunkIndex, r.Text, Metadata(r.MetadataJson), r.Score, r.Probability, r.Stage1Rank, r.Stage1Score)).ToArray(),
        new TimingsBody(
            Round(response.Timings.EmbedMs), Round(response.Timings.Stage1Ms), Round(response.Timings.Rerank.TotalMs),
            Round(response.Timings.Rerank.QueueMs), Round(response.Timings.Rerank.TokenizeMs), Round(response.Timings.Rerank.InferenceMs),
            Round(response.Timings.TotalMs), response.Timings.Candidates, response.Timings.Rerank.Batches,
            response.Timings.Rerank.PaddedTokens, response.Timings.Rerank.Silos),
        new ModelBody(response.CrossEncoder, response.ScoresAreRelevance, response.Stage1Weight, Stage1Names.Of(response.Stage1Mode),
            response.Fusion is { } fusion ? Stage1Names.Of(fusion) : null),
        Warnings(response),
        response.Stage1.Length == 0 ? null : response.Stage1.Select(h => new Stage1HitBody(h.DocumentId, h.ChunkIndex, h.Score, h.Text)).ToArray(),
        response.Degraded is not null);

    public const string EmptyIndexWarning = "The index has no documents yet: nothing to search.";

    private static string[]? Warnings(SearchResponse response)
    {
        var warnings = new List<string>();
        if (response.Degraded is not null)
        {
            warnings.Add($"Degraded: {response.Degraded}.");
        }

        if (response.Timings.Candidates == 0)
        {
            warnings.Add(EmptyIndexWarning);
        }

        if (!response.ScoresAreRelevance)
        {
            warnings.Add(NotRelevanceWarning);
        }

        return warnings.Count == 0 ? null : warnings.ToArray();
    }

    /// <summary>Server timing headers in the style of Hugging Face TEI (milliseconds, tokens), and the stage histograms.</summary>
    public static void ReportTimings(HttpResponse http, string route, RerankTimings rerank, double totalMs, SearchTimings? search = null)
    {
        var stages = new List<(string Stage, double Ms)>
        {
            ("queue", rerank.QueueMs), ("tokenize", rerank.TokenizeMs), ("inference", rerank.InferenceMs), ("rerank", rerank.TotalMs), ("total", totalMs),
        };
        if (search is not null)
        {
            stages.Add(("embed", search.EmbedMs));
            stages.Add(("stage1", search.Stage1Ms));
            RerankTelemetry.CandidatesPerQuery.Record(search.Candidates);
            http.Headers["x-embed-time"] = Ms(search.EmbedMs);
            http.Headers["x-stage1-time"] = Ms(search.Stage1Ms);
            http.Headers["x-rerank-time"] = Ms(rerank.TotalMs);
        }

        foreach (var (stage, ms) in stages)
        {
            RerankTelemetry.StageDuration.Record(ms, new KeyValuePair<string, object?>("route", route), new KeyValuePair<string, object?>("stage", stage));
        }

        http.Headers["x-queue-time"] = Ms(rerank.QueueMs);
        http.Headers["x-tokenization-time"] = Ms(rerank.TokenizeMs);
        http.Headers["x-inference-time"] = Ms(rerank.InferenceMs);
        http.Headers["x-compute-tokens"] = rerank.Tokens.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Headers["x-total-time"] = Ms(totalMs);
    }

    /// <summary>
    /// Whole milliseconds of the figure a body reports (its two decimals rounded again), so a header never
    /// disagrees with the body, as rounding the raw value could near a half.
    /// </summary>
    private static string Ms(double value) => Math.Round(Round(value)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static double Round(double value) => Math.Round(value, 2);

    private static JsonElement? Metadata(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}
