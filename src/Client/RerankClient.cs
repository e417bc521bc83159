using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RerankCluster.Client.Contracts;
using RerankCluster.Client.Errors;
using RerankCluster.Client.Retries;

namespace RerankCluster.Client;

/// <summary>
/// A typed client of RerankCluster's HTTP API: indexes, documents, search and rerank. The
/// <see cref="HttpClient"/> carries the gateway's base address (ending in '/') and, for a gateway with keys,
/// <c>Authorization: Bearer &lt;tenant key&gt;</c>. Refusals (429, 503) are retried as <see cref="RetryPolicy"/>
/// says; other error answers throw a <see cref="RerankApiException"/> subclass with the server's message.
/// </summary>
/// <param name="time">The clock that retry and job-poll waits run on (tests pass their own).</param>
public sealed class RerankClient(HttpClient http, RetryPolicy? retry = null, TimeProvider? time = null)
{
    private readonly RetryPolicy _retry = retry ?? new RetryPolicy();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>How often a 202 upsert's job is read until it has finished.</summary>
    public TimeSpan JobPollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public Uri? BaseAddress => http.BaseAddress;

    public Task<IndexBody> CreateIndexAsync(string index, CreateIndexBody? settings = null, CancellationToken ct = default) =>
        Send<IndexBody>(HttpMethod.Put, IndexPath(index), settings ?? new CreateIndexBody(null, null, null), ct);

    /// <summary>The index with its document counts and shards, or null when it does not exist.</summary>
    public async Task<IndexBody?> GetIndexAsync(string index, CancellationToken ct = default)
    {
        try
        {
            return await Send<IndexBody>(HttpMethod.Get, IndexPath(index), null, ct);
        }
        catch (RerankNotFoundException)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<IndexBody>> ListIndexesAsync(CancellationToken ct = default) =>
        (await Send<IndexListBody>(HttpMethod.Get, "v1/indexes", null, ct)).Indexes;

    public Task DeleteIndexAsync(string index, CancellationToken ct = default) => Send(HttpMethod.Delete, IndexPath(index), null, ct);

    /// <summary>
    /// Upserts and returns once every document is stored. An upsert the server does not finish within its
    /// <c>Indexing:UpsertWait</c> answers 202 with a job, which is read every <see cref="JobPollInterval"/> until it
    /// has finished; <paramref name="stored"/> is called (on the calling flow) with its stored count each time.
    /// </summary>
    /// <exception cref="IngestJobFailedException">The job failed; it says what was stored.</exception>
    public async Task<UpsertResponse> UpsertAsync(string index, IReadOnlyList<DocumentBody> documents, Action<int>? stored = null,
        CancellationToken ct = default)
    {
        using var response = await SendChecked(HttpMethod.Post, $"{IndexPath(index)}/documents", new UpsertBody(documents.ToArray()), ct);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            return await Read<UpsertResponse>(response, ct);
        }

        var job = await Read<IngestJobBody>(response, ct);
        while (job.Status == IngestJobBody.Running)
        {
            stored?.Invoke(job.Stored);
            await Task.Delay(JobPollInterval, _time, ct);
            job = await GetJobAsync(index, job.JobId, ct);
        }

        stored?.Invoke(job.Stored);
        return job.Status == IngestJobBody.Succeeded
            ? new UpsertResponse(job.Documents, job.Chunks, job.Replaced, job.JobId)
            : throw new IngestJobFailedException(job);
    }

    /// <summary>An upsert job's progress (GET /v1/indexes/{index}/jobs/{job}).</summary>
    public Task<IngestJobBody> GetJobAsync(string index, string jobId, CancellationToken ct = default) =>
        Send<IngestJobBody>(HttpMethod.Get, $"{IndexPath(index)}/jobs/{Uri.EscapeDataString(jobId)}", null, ct);

    /// <summary>The stored document with its chunks, or null when the index does not hold it.</summary>
    public async Task<StoredDocumentBody?> GetDocumentAsync(string index, string id, CancellationToken ct = default)
    {
        try
        {
            return await Send<StoredDocumentBody>(HttpMethod.Get, $"{IndexPath(index)}/documents/{Uri.EscapeDataString(id)}", null, ct);
        }
        catch (RerankNotFoundException)
        {
            return null;
        }
    }

    public Task DeleteDocumentAsync(string index, string id, CancellationToken ct = default) =>
        Send(HttpMethod.Delete, $"{IndexPath(index)}/documents/{Uri.EscapeDataString(id)}", null, ct);

    public Task<SearchResponseBody> SearchAsync(string index, SearchBody search, CancellationToken ct = default) =>
        Send<SearchResponseBody>(HttpMethod.Post, $"{IndexPath(index)}/search", search, ct);

    /// <summary>Stateless rerank in Cohere's v1 shape (POST /v1/rerank): results best first, relevance_score = sigmoid(logit).</summary>
    public Task<CohereRerankResponse> RerankAsync(CohereRerankBody rerank, CancellationToken ct = default) =>
        Send<CohereRerankResponse>(HttpMethod.Post, "v1/rerank", rerank, ct);

    /// <summary>Stateless rerank in TEI's shape (POST /rerank), whose raw_scores gives the cross-encoder's logits.</summary>
    public Task<TeiRerankResult[]> RerankTeiAsync(TeiRerankBody rerank, CancellationToken ct = default) =>
        Send<TeiRerankResult[]>(HttpMethod.Post, "rerank", rerank, ct);

    private static string IndexPath(string index) => $"v1/indexes/{Uri.EscapeDataString(index)}";

    private async Task<T> Send<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var response = await SendChecked(method, path, body, ct);
        return await Read<T>(response, ct);
    }

    private async Task Send(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var response = await SendChecked(method, path, body, ct);
    }

    /// <summary>Sends, retrying refusals as the policy says; an error answer throws with the server's message.</summary>
    private async Task<HttpResponseMessage> SendChecked(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        // Serialised once: every attempt sends the same bytes in a fresh request.
        var content = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), RerankJson.Options);
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            if (content is not null)
            {
                request.Content = new ByteArrayContent(content);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            }

            var response = await http.SendAsync(request, ct);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                if (_retry.DelayAfter(response, attempt, _time.GetUtcNow()) is not { } delay)
                {
                    throw await ApiErrors.FromResponseAsync(response, _time.GetUtcNow(), ct);
                }

                await Task.Delay(delay, _time, ct);
            }
        }
    }

    private static async Task<T> Read<T>(HttpResponseMessage response, CancellationToken ct) =>
        await response.Content.ReadFromJsonAsync<T>(RerankJson.Options, ct)
        ?? throw new RerankApiException(response.StatusCode, $"The answer of {response.RequestMessage?.RequestUri} was empty.");
}
