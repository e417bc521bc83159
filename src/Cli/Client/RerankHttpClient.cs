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

    public Task<UpsertResponse> UpsertAsync(string index, IReadOnlyList<DocumentBody> documents, CancellationToken ct = default) =>
        Send<UpsertResponse>(HttpMethod.Post, $"v1/indexes/{Uri.EscapeDataString(index)}/documents", new UpsertBody(documents.ToArray()), ct);

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
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        using var response = await http.SendAsync(request, ct);
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

            throw new RerankApiException(response.StatusCode, $"{(int)response.StatusCode} {response.StatusCode}: {detail}");
        }

        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return default!;
        }

        return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
    }
}
