using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using RerankCluster.Gateway.Contracts;

namespace RerankCluster.Cli.Client;

/// <summary>A typed client of the gateway's HTTP API: what `ingest`, `search`, `demo` and `eval` speak.</summary>
public sealed class RerankHttpClient(HttpClient http)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly TimeSpan JobPollInterval = TimeSpan.FromMilliseconds(500);

    public Uri? BaseAddress => http.BaseAddress;

    public async Task<IndexBody> CreateIndexAsync(string index, int? shards, CancellationToken ct = default) =>
        await Send<IndexBody>(HttpMethod.Put, $"v1/indexes/{Uri.EscapeDataString(index)}", new CreateIndexBody(shards, null, null), ct);

    public async Task<IndexBody?> GetIndexAsync(string index, CancellationToken ct = default)
    {
        try
        {
            return await Send<IndexBody>(HttpMethod.Get, $"v1/indexes/{Uri.EscapeDataString(index)}", null, ct);
        }
        catch (RerankApiException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task DeleteIndexAsync(string index, CancellationToken ct = default) =>
        Send<object>(HttpMethod.Delete, $"v1/indexes/{Uri.EscapeDataString(index)}", null, ct);

    /// <summary>
    /// Upserts and returns once every document is stored: a large upsert answers 202 with a job, which is followed
    /// (reporting its stored count to <paramref name="stored"/>) until it has finished.
    /// </summary>
    public async Task<UpsertResponse> UpsertAsync(string index, IReadOnlyList<DocumentBody> documents, Action<int>? stored = null,
        CancellationToken ct = default)
    {
        using var response = await Send(HttpMethod.Post, $"v1/indexes/{Uri.EscapeDataString(index)}/documents", new UpsertBody(documents.ToArray()), ct);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            return await Read<UpsertResponse>(response, ct);
        }

        var job = await Read<IngestJobBody>(response, ct);
        while (job.Status == IngestJobBody.Running)
        {
            stored?.Invoke(job.Stored);
            await Task.Delay(JobPollInterval, ct);
            job = await Send<IngestJobBody>(HttpMethod.Get, $"v1/indexes/{Uri.EscapeDataString(index)}/jobs/{job.JobId}", null, ct);
        }

        stored?.Invoke(job.Stored);
        return job.Status == IngestJobBody.Succeeded
            ? new UpsertResponse(job.Documents, job.Chunks, job.Replaced, job.JobId)
            : throw new RerankApiException(HttpStatusCode.OK,
                $"Upsert job {job.JobId} {job.Status} after storing {job.Stored} of {job.Documents} documents: {string.Join("; ", job.Errors)}");
    }

    public Task<SearchResponseBody> SearchAsync(string index, SearchBody body, CancellationToken ct = default) =>
        Send<SearchResponseBody>(HttpMethod.Post, $"v1/indexes/{Uri.EscapeDataString(index)}/search", body, ct);

    /// <summary>Raw logits for each text, in request order (TEI's route with raw_scores).</summary>
    public async Task<double[]> RerankAsync(string query, IReadOnlyList<string> texts, CancellationToken ct = default)
    {
        var ranked = await Send<TeiRerankResult[]>(HttpMethod.Post, "rerank", new TeiRerankBody(query, texts.ToArray(), true, false, true, null), ct);
        var logits = new double[texts.Count];
        foreach (var result in ranked)
        {
            logits[result.Index] = result.Score;
        }

        return logits;
    }

    private async Task<T> Send<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var response = await Send(method, path, body, ct);
        return await Read<T>(response, ct);
    }

    /// <summary>Sends a request; an error answer throws <see cref="RerankApiException"/> with the problem's detail.</summary>
    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(ct);
            try
            {
                using var problem = JsonDocument.Parse(detail);
                if (problem.RootElement.TryGetProperty("detail", out var message))
                {
                    detail = message.GetString() ?? detail;
                }
            }
            catch (JsonException)
            {
                // Not problem details: keep the raw body as the message.
            }

            response.Dispose();
            throw new RerankApiException(response.StatusCode, $"{(int)response.StatusCode} {response.StatusCode}: {detail}");
        }

        return response;
    }

    private static async Task<T> Read<T>(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return default!;
        }

        return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
    }
}
