using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace RerankCluster.ClusterTests;

/// <summary>A catalogue of malformed and hostile requests: each gets its 4xx with a reason, and the service stays healthy.</summary>
[Collection(SecuredGatewayCollection.Name)]
public sealed class HostileInputTests(SecuredGateway gateway)
{
    public static TheoryData<string, string, string?, string, HttpStatusCode, string> Catalogue => new()
    {
        // name, path, body, content type, expected status, words the answer must contain (a problem's reason, or what a 2xx holds)
        { "malformed JSON", "v1/indexes/hostile/search", "{\"query\": ", "application/json", HttpStatusCode.BadRequest, "not valid JSON" },
        { "JSON array instead of object", "v1/indexes/hostile/search", "[1, 2]", "application/json", HttpStatusCode.BadRequest, "not valid JSON" },
        { "query of wrong type", "v1/indexes/hostile/search", "{\"query\": 42}", "application/json", HttpStatusCode.BadRequest, "Path: $.query" },
        { "top_k of wrong type", "v1/indexes/hostile/search", "{\"query\": \"q\", \"top_k\": \"five\"}", "application/json", HttpStatusCode.BadRequest, "Path: $.top_k" },
        { "fractional top_k", "v1/indexes/hostile/search", "{\"query\": \"q\", \"top_k\": 2.5}", "application/json", HttpStatusCode.BadRequest, "Path: $.top_k" },
        { "NaN candidates", "v1/indexes/hostile/search", "{\"query\": \"q\", \"candidates\": NaN}", "application/json", HttpStatusCode.BadRequest, "Path: $.candidates" },
        { "huge number", "v1/indexes/hostile/search", "{\"query\": \"q\", \"candidates\": 1e40}", "application/json", HttpStatusCode.BadRequest, "Path: $.candidates" },
        { "negative candidates", "v1/indexes/hostile/search", "{\"query\": \"q\", \"candidates\": -1}", "application/json", HttpStatusCode.BadRequest, "candidates must be between" },
        { "negative top_k", "v1/indexes/hostile/search", "{\"query\": \"q\", \"top_k\": -5}", "application/json", HttpStatusCode.BadRequest, "top_k must be between" },
        { "missing query", "v1/indexes/hostile/search", "{}", "application/json", HttpStatusCode.BadRequest, "query must not be empty" },
        { "whitespace query", "v1/indexes/hostile/search", "{\"query\": \" \\t\\n \"}", "application/json", HttpStatusCode.BadRequest, "query must not be empty" },
        { "megabyte query", "v1/indexes/hostile/search", "{\"query\": \"" + new string('q', 1_000_000) + "\"}", "application/json", HttpStatusCode.RequestEntityTooLarge, "Limits:MaxRequestBodyBytes" },
        { "over-long query", "v1/indexes/hostile/search", "{\"query\": \"" + new string('q', 9000) + "\"}", "application/json", HttpStatusCode.BadRequest, "the limit is 8192" },
        { "empty body", "v1/indexes/hostile/search", "", "application/json", HttpStatusCode.BadRequest, "The request has no body" },
        { "wrong content type", "v1/indexes/hostile/search", "{\"query\": \"q\"}", "text/plain", HttpStatusCode.UnsupportedMediaType, "send Content-Type: application/json (got text/plain" },
        { "invalid UTF-8", "v1/indexes/hostile/search", "{\"query\": \"\xC3\x28\"}", "application/json", HttpStatusCode.BadRequest, "invalid UTF-8" },
        { "unknown index", "v1/indexes/does-not-exist/search", "{\"query\": \"q\"}", "application/json", HttpStatusCode.NotFound, "does-not-exist" },
        { "upper-case index name", "v1/indexes/Hostile/search", "{\"query\": \"q\"}", "application/json", HttpStatusCode.BadRequest, "index name" },
        { "index name with dots", "v1/indexes/..%2F..%2Fetc/search", "{\"query\": \"q\"}", "application/json", HttpStatusCode.BadRequest, "index name" },
        { "overlong index name", $"v1/indexes/{new string('a', 65)}/search", "{\"query\": \"q\"}", "application/json", HttpStatusCode.BadRequest, "index name" },
        { "filter nested 60 deep", "v1/indexes/hostile/search", "{\"query\": \"q\", \"filter\": " + string.Concat(Enumerable.Repeat("{\"$not\": ", 60)) + "{\"a\": 1}" + new string('}', 61), "application/json", HttpStatusCode.BadRequest, "filter is not valid JSON" },
        { "filter operator unknown", "v1/indexes/hostile/search", "{\"query\": \"q\", \"filter\": {\"a\": {\"$where\": \"1\"}}}", "application/json", HttpStatusCode.BadRequest, "filter.a.$where is not an operator" },
        { "documents missing", "v1/indexes/hostile/documents", "{}", "application/json", HttpStatusCode.BadRequest, "documents is required" },
        { "documents not an array", "v1/indexes/hostile/documents", "{\"documents\": \"x\"}", "application/json", HttpStatusCode.BadRequest, "Path: $.documents" },
        { "null document", "v1/indexes/hostile/documents", "{\"documents\": [null]}", "application/json", HttpStatusCode.BadRequest, "documents[0]" },
        { "empty document id", "v1/indexes/hostile/documents", "{\"documents\": [{\"id\": \"\", \"text\": \"t\"}]}", "application/json", HttpStatusCode.BadRequest, "documents[0].id" },
        { "control characters in id", "v1/indexes/hostile/documents", "{\"documents\": [{\"id\": \"a\\u0000b\", \"text\": \"t\"}]}", "application/json", HttpStatusCode.BadRequest, "control characters" },
        { "over-long id", "v1/indexes/hostile/documents", "{\"documents\": [{\"id\": \"" + new string('i', 600) + "\", \"text\": \"t\"}]}", "application/json", HttpStatusCode.BadRequest, "the limit is 512" },
        { "duplicate ids", "v1/indexes/hostile/documents", "{\"documents\": [{\"id\": \"d\", \"text\": \"a\"}, {\"id\": \"d\", \"text\": \"b\"}]}", "application/json", HttpStatusCode.BadRequest, "more than once" },
        { "metadata not an object", "v1/indexes/hostile/documents", "{\"documents\": [{\"id\": \"m\", \"text\": \"t\", \"metadata\": [1]}]}", "application/json", HttpStatusCode.BadRequest, "metadata must be a JSON object" },
        { "too many documents", "v1/indexes/hostile/documents", "{\"documents\": [" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"{{\"id\": \"{i}\", \"text\": \"t\"}}")) + "]}", "application/json", HttpStatusCode.BadRequest, "Limits:MaxDocumentsPerRequest" },
        // Zero asks for the configured default count (Indexing:DefaultShards, 4 here).
        { "shards zero", "v1/indexes/hostile-zero", "{\"shards\": 0}", "application/json", HttpStatusCode.OK, "\"shards\":4" },
        { "shards huge", "v1/indexes/hostile-huge", "{\"shards\": 100000}", "application/json", HttpStatusCode.BadRequest, "shards must be between" },
        { "rerank documents of wrong type", "v1/rerank", "{\"query\": \"q\", \"documents\": [{\"title\": \"no text\"}]}", "application/json", HttpStatusCode.BadRequest, "documents[0] must be" },
        { "rerank empty document", "v1/rerank", "{\"query\": \"q\", \"documents\": [\"\"]}", "application/json", HttpStatusCode.BadRequest, "documents[0] must not be empty" },
        { "rerank negative top_n", "v1/rerank", "{\"query\": \"q\", \"documents\": [\"a\"], \"top_n\": -1}", "application/json", HttpStatusCode.BadRequest, "top_n must be at least 1" },
        { "TEI texts null", "rerank", "{\"query\": \"q\", \"texts\": null}", "application/json", HttpStatusCode.BadRequest, "texts is required" },
        { "unknown fields are ignored", "v1/rerank", "{\"query\": \"q\", \"documents\": [\"a\"], \"surprise\": {\"deep\": [1,2,3]}}", "application/json", HttpStatusCode.OK, "\"index\":0" },
    };

    [Theory]
    [MemberData(nameof(Catalogue))]
    public async Task Bad_request_gets_its_status_and_reason_and_the_service_stays_healthy(
        string name, string path, string? body, string contentType, HttpStatusCode expected, string reason)
    {
        using var client = await gateway.NewTenant("hostile-" + Guid.NewGuid().ToString("N")[..12]);
        await HttpAssert.Ok(await client.PutAsJsonAsync("v1/indexes/hostile", new { shards = 1 }));
        var method = path.StartsWith("v1/indexes/hostile-", StringComparison.Ordinal) ? HttpMethod.Put : HttpMethod.Post;
        using var request = new HttpRequestMessage(method, path)
        {
            Content = new ByteArrayContent(name == "invalid UTF-8" ? Encoding.Latin1.GetBytes(body!) : Encoding.UTF8.GetBytes(body ?? "")),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        var response = await client.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        // TEI's routes answer TEI's {error, error_type}; every other route problem details.
        var tei = RerankCluster.Gateway.Endpoints.RerankEndpoints.IsTeiRoute("/" + path);
        ReportArtifacts.AppendLine("hostile.jsonl", new
        {
            name, expected = (int)expected, status = (int)response.StatusCode,
            detail = (int)response.StatusCode >= 400 && text.StartsWith('{')
                ? System.Text.Json.JsonDocument.Parse(text).RootElement.TryGetProperty(tei ? "error" : "detail", out var d) ? d.GetString() : null
                : null,
        });
        Assert.True(expected == response.StatusCode, $"{name}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        if ((int)expected >= 400)
        {
            Assert.Equal(tei ? "application/json" : "application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Contains(reason, text);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("readyz")).StatusCode);
    }

    [Fact]
    public async Task Oversized_headers_are_refused_without_harm()
    {
        using var client = gateway.Client(null);
        client.DefaultRequestHeaders.Add("X-Padding", new string('h', 40_000));
        var response = await client.GetAsync("healthz");
        Assert.True((int)response.StatusCode is 400 or 431, $"got {(int)response.StatusCode}");
        using var fresh = gateway.Client(null);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("healthz")).StatusCode);
    }
}
