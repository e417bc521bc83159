using System.Net.Http.Json;
using System.Text.Json;

namespace RerankCluster.Cli.Reliability;

/// <summary>Checks that every acknowledged document of an index can still be found by a search.</summary>
public static class DocumentAudit
{
    public sealed record Result(int Acknowledged, int Indexed, IReadOnlyList<string> Missing);

    public static async Task<Result> RunAsync(HttpClient client, string index, IReadOnlyCollection<string> acknowledged, CancellationToken ct)
    {
        var info = await Json(await client.GetAsync($"v1/indexes/{index}", ct), ct);
        var indexed = info.GetProperty("documents").GetInt32();
        // Every document at once: a search whose candidates and top_k cover the whole index.
        var all = Math.Clamp(indexed, 1, Grains.Interfaces.SearchLimits.MaxCandidates);
        var search = await Json(await client.PostAsJsonAsync($"v1/indexes/{index}/search", new { query = "document", top_k = all, candidates = all }, ct), ct);
        var found = search.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToHashSet();
        return new Result(acknowledged.Count, indexed, acknowledged.Where(id => !found.Contains(id)).ToList());
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
