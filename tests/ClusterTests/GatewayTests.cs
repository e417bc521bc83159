using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RerankCluster.Cli.Hosting;

namespace RerankCluster.ClusterTests;

[Collection(EmbeddedGatewayCollection.Name)]
public sealed class GatewayTests(EmbeddedGateway gateway)
{
    private HttpClient Http => gateway.Http;

    private async Task CreateIndexWithSample(string index)
    {
        (await Http.PutAsJsonAsync($"v1/indexes/{index}", new { shards = 2 })).EnsureSuccessStatusCode();
        var upsert = await Http.PostAsync($"v1/indexes/{index}/documents", Json("""
            {"documents": [
              {"id": "paris", "text": "Paris is the capital and largest city of France.", "metadata": {"lang": "en", "year": 2024}},
              {"id": "canberra", "text": "Canberra is the capital of Australia."},
              {"id": "bread", "text": "Sourdough bread rises thanks to wild yeast."}
            ]}
            """));
        upsert.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Search_answers_two_stage_results_with_timings()
    {
        await CreateIndexWithSample("http-search");
        var response = await Http.PostAsync("v1/indexes/http-search/search", Json("""{"query": "capital of France", "top_k": 2, "candidates": 3}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var header in new[] { "x-total-time", "x-inference-time", "x-tokenization-time", "x-queue-time", "x-compute-tokens" })
        {
            Assert.True(response.Headers.Contains(header), $"missing {header}");
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var results = body.RootElement.GetProperty("results");
        Assert.Equal(2, results.GetArrayLength());
        foreach (var hit in results.EnumerateArray())
        {
            var score = hit.GetProperty("score").GetDouble();
            Assert.Equal(1 / (1 + Math.Exp(-score)), hit.GetProperty("probability").GetDouble(), 1e-6);
            Assert.InRange(hit.GetProperty("stage1_rank").GetInt32(), 1, 3);
            Assert.False(string.IsNullOrEmpty(hit.GetProperty("text").GetString()));
        }

        var paris = results.EnumerateArray().Concat(await Stage1Only("http-search", "capital of France"))
            .First(h => h.GetProperty("id").GetString() == "paris");
        Assert.Equal("en", paris.GetProperty("metadata").GetProperty("lang").GetString());
        // The default is the shipped trained reranker: its scores are relevance, so no "NOT relevance" warning, and
        // the one passage that answers the question comes first.
        var model = body.RootElement.GetProperty("model");
        Assert.Equal(ShippedReranker.Name, model.GetProperty("cross_encoder").GetString());
        Assert.True(model.GetProperty("scores_are_relevance").GetBoolean());
        var warnings = body.RootElement.TryGetProperty("warnings", out var w) && w.ValueKind == JsonValueKind.Array
            ? w.EnumerateArray().Select(x => x.GetString()!).ToList()
            : [];
        Assert.DoesNotContain(warnings, x => x.Contains("NOT relevance", StringComparison.Ordinal));
        Assert.Equal("paris", results[0].GetProperty("id").GetString());
        Assert.Equal(3, body.RootElement.GetProperty("timings").GetProperty("candidates").GetInt32());
    }

    [Fact]
    public async Task A_filtered_search_fills_its_candidates_from_matching_documents_on_every_shard()
    {
        (await Http.PutAsJsonAsync("v1/indexes/http-filter", new { shards = 3 })).EnsureSuccessStatusCode();
        // Twelve recipes (kind "recipe") among eighteen capitals: a search about capitals whose own top 10 holds
        // no recipe must still bring back ten recipes when it asks for them.
        var documents = Enumerable.Range(0, 12).Select(i => new { id = $"recipe-{i}", text = $"Recipe {i}: simmer onions and garlic for {i + 5} minutes.", metadata = (object)new { kind = "recipe", minutes = i + 5 } })
            .Concat(Enumerable.Range(0, 18).Select(i => new { id = $"capital-{i}", text = $"City {i} is the capital of country {i}.", metadata = (object)new { kind = "capital", minutes = 0 } }))
            .ToArray();
        (await Http.PostAsJsonAsync("v1/indexes/http-filter/documents", new { documents })).EnsureSuccessStatusCode();

        var filtered = await HttpAssert.Ok(await Http.PostAsync("v1/indexes/http-filter/search",
            Json("""{"query": "what is the capital of France", "top_k": 10, "candidates": 10, "filter": {"kind": "recipe", "minutes": {"$gte": 6}}}""")));
        var ids = filtered.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
        Assert.Equal(10, ids.Count);
        Assert.All(ids, id => Assert.StartsWith("recipe-", id));
        Assert.DoesNotContain("recipe-0", ids);

        // Hybrid: the BM25 list is filtered too ("capital" is in every capital's text, in no recipe's).
        var hybrid = await HttpAssert.Ok(await Http.PostAsync("v1/indexes/http-filter/search",
            Json("""{"query": "capital", "top_k": 10, "candidates": 10, "stage1": "hybrid", "filter": {"kind": {"$in": ["recipe"]}}}""")));
        Assert.Equal(10, hybrid.GetProperty("results").GetArrayLength());
        Assert.All(hybrid.GetProperty("results").EnumerateArray(), r => Assert.StartsWith("recipe-", r.GetProperty("id").GetString()));

        var unfiltered = await HttpAssert.Ok(await Http.PostAsync("v1/indexes/http-filter/search",
            Json("""{"query": "what is the capital of France", "top_k": 10, "candidates": 10}""")));
        Assert.All(unfiltered.GetProperty("results").EnumerateArray(), r => Assert.StartsWith("capital-", r.GetProperty("id").GetString()));

        await HttpAssert.Problem(await Http.PostAsync("v1/indexes/http-filter/search",
                Json("""{"query": "capital", "filter": {"$or": [{"kind": "recipe"}, {"minutes": {"$gt": "soon"}}]}}""")),
            HttpStatusCode.BadRequest, "filter.$or[1].minutes.$gt expects a number or an ISO 8601 date");
        await HttpAssert.Problem(await Http.PostAsync("v1/indexes/http-filter/search", Json("""{"query": "capital", "filter": "kind=recipe"}""")),
            HttpStatusCode.BadRequest, "filter expects an object");
    }

    [Fact]
    public async Task Grouped_by_document_a_search_returns_each_document_once_by_its_best_chunk()
    {
        (await Http.PutAsJsonAsync("v1/indexes/http-grouped", new { shards = 1 })).EnsureSuccessStatusCode();
        // Long enough for several chunks, every one about capitals.
        var manual = string.Join(" ", Enumerable.Range(0, 60).Select(i =>
            $"Note {i}: Paris is the capital of France, Rome the capital of Italy and Madrid the capital of Spain."));
        (await Http.PostAsJsonAsync("v1/indexes/http-grouped/documents", new
        {
            documents = new[]
            {
                new { id = "manual", text = manual },
                new { id = "bread", text = "Sourdough bread rises thanks to wild yeast." },
                new { id = "canberra", text = "Canberra is the capital of Australia." },
            },
        })).EnsureSuccessStatusCode();

        var chunks = (await HttpAssert.Ok(await Http.PostAsync("v1/indexes/http-grouped/search",
            Json("""{"query": "what is the capital of France", "top_k": 10, "candidates": 10}""")))).GetProperty("results").EnumerateArray().ToList();
        var grouped = (await HttpAssert.Ok(await Http.PostAsync("v1/indexes/http-grouped/search",
            Json("""{"query": "what is the capital of France", "top_k": 10, "candidates": 10, "group_by_document": true}""")))).GetProperty("results").EnumerateArray().ToList();

        Assert.True(chunks.Count(r => r.GetProperty("id").GetString() == "manual") > 1, "the manual should span several chunks");
        var ids = grouped.Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(ids.Distinct(), ids);
        Assert.Equal(["bread", "canberra", "manual"], ids.Order(StringComparer.Ordinal));
        // The document's entry is its best chunk: the first of its chunks in the ungrouped order.
        var best = chunks.First(r => r.GetProperty("id").GetString() == "manual");
        var entry = grouped.Single(r => r.GetProperty("id").GetString() == "manual");
        Assert.Equal(best.GetProperty("chunk").GetInt32(), entry.GetProperty("chunk").GetInt32());
        Assert.Equal(best.GetProperty("score").GetDouble(), entry.GetProperty("score").GetDouble(), 1e-6);
        Assert.Equal(chunks.Select(r => r.GetProperty("id").GetString()).Distinct(), ids);
    }

    [Fact]
    public async Task Search_timing_headers_are_the_timings_in_the_body_in_whole_milliseconds()
    {
        await CreateIndexWithSample("http-timing-headers");
        var response = await Http.PostAsync("v1/indexes/http-timing-headers/search", Json("""{"query": "capital of Australia", "top_k": 2, "candidates": 3}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var timings = body.RootElement.GetProperty("timings");
        foreach (var (header, field) in new[]
                 {
                     ("x-embed-time", "embed_ms"), ("x-stage1-time", "stage1_ms"), ("x-rerank-time", "rerank_ms"), ("x-queue-time", "queue_ms"),
                     ("x-tokenization-time", "tokenize_ms"), ("x-inference-time", "inference_ms"), ("x-total-time", "total_ms"),
                 })
        {
            Assert.True(response.Headers.TryGetValues(header, out var values), $"missing {header}");
            var ms = timings.GetProperty(field).GetDouble();
            var actual = Assert.Single(values);
            Assert.True(actual == Math.Round(ms).ToString(System.Globalization.CultureInfo.InvariantCulture), $"{header} is {actual}; the body's {field} is {ms}");
        }
    }

    [Theory]
    [InlineData("""{"query": ""}""", "query must not be empty")]
    [InlineData("""{"query": "x", "top_k": 0}""", "top_k must be between 1 and candidates")]
    [InlineData("""{"query": "x", "top_k": 60, "candidates": 50}""", "top_k must be between 1 and candidates")]
    [InlineData("""{"query": "x", "candidates": 5000}""", "the limit (Limits:MaxCandidates) is 1000")]
    public async Task Bad_search_requests_get_400_naming_the_problem(string body, string reason)
    {
        await CreateIndexWithSample("http-bad");
        var response = await Http.PostAsync("v1/indexes/http-bad/search", Json(body));
        await HttpAssert.Problem(response, HttpStatusCode.BadRequest, reason);
    }

    [Fact]
    public async Task Unknown_index_gets_404_and_malformed_json_gets_400()
    {
        await HttpAssert.Problem(await Http.PostAsync("v1/indexes/nowhere/search", Json("""{"query": "x"}""")), HttpStatusCode.NotFound, "nowhere");
        await HttpAssert.Problem(await Http.GetAsync("v1/indexes/nowhere"), HttpStatusCode.NotFound, "nowhere");
        var malformed = await Http.PostAsync("v1/indexes/nowhere/search", Json("""{"query": """));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        await HttpAssert.Problem(await Http.PutAsJsonAsync("v1/indexes/Bad%20Name", new { }), HttpStatusCode.BadRequest, "index name");
    }

    [Fact]
    public async Task Documents_need_an_id_and_text()
    {
        (await Http.PutAsJsonAsync("v1/indexes/http-docs", new { shards = 1 })).EnsureSuccessStatusCode();
        await HttpAssert.Problem(await Http.PostAsync("v1/indexes/http-docs/documents", Json("""{"documents": [{"text": "no id"}]}""")),
            HttpStatusCode.BadRequest, "documents[0].id");
        await HttpAssert.Problem(await Http.PostAsync("v1/indexes/http-docs/documents", Json("""{"documents": []}""")),
            HttpStatusCode.BadRequest, "documents must not be empty");
        await HttpAssert.Problem(await Http.PostAsync("v1/indexes/http-docs/documents", Json("""{"documents": [{"id": "a", "text": "t", "metadata": 3}]}""")),
            HttpStatusCode.BadRequest, "metadata must be a JSON object");
        await HttpAssert.Problem(await Http.DeleteAsync("v1/indexes/http-docs/documents/missing"), HttpStatusCode.NotFound, "missing");
    }

    [Fact]
    public async Task Index_reports_its_documents_and_can_be_deleted()
    {
        await CreateIndexWithSample("http-lifecycle");
        using var info = JsonDocument.Parse(await Http.GetStringAsync("v1/indexes/http-lifecycle"));
        Assert.Equal(3, info.RootElement.GetProperty("documents").GetInt32());
        Assert.Equal(2, info.RootElement.GetProperty("shard_stats").GetArrayLength());
        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync("v1/indexes/http-lifecycle")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("v1/indexes/http-lifecycle")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("readyz")).StatusCode);
    }

    [Fact]
    public async Task Metrics_show_stage_histograms_batches_and_requests_that_move_with_traffic()
    {
        await CreateIndexWithSample("http-metrics");
        await Http.PostAsync("v1/indexes/http-metrics/search", Json("""{"query": "warm up", "top_k": 1, "candidates": 3}"""));
        var before = await Http.GetStringAsync("metrics");
        (await Http.PostAsync("v1/indexes/http-metrics/search", Json("""{"query": "bread", "top_k": 1, "candidates": 3}"""))).EnsureSuccessStatusCode();
        // A request is counted once its response is complete, which can be just after the client has it;
        // ASP.NET Core's own duration histogram can show up a collection later than ours.
        const string searches = "rerank_requests_total{otel_scope_name=\"RerankCluster\",route=\"/v1/indexes/{index}/search\",status=\"200\"}";
        var after = await Http.GetStringAsync("metrics");
        const string httpDurations = "http_server_request_duration_seconds_bucket";
        for (var attempt = 0; attempt < 50 && (Count(after, searches) <= Count(before, searches) || !after.Contains(httpDurations)); attempt++)
        {
            await Task.Delay(100);
            after = await Http.GetStringAsync("metrics");
        }

        Assert.True(Count(after, searches) > Count(before, searches), $"{searches} did not move");

        foreach (var series in new[]
                 {
                     "rerank_stage_duration_milliseconds_count{otel_scope_name=\"RerankCluster\",route=\"search\",stage=\"inference\"}",
                     "rerank_stage_duration_milliseconds_count{otel_scope_name=\"RerankCluster\",route=\"search\",stage=\"stage1\"}",
                     "rerank_candidates_count{otel_scope_name=\"RerankCluster\"}",
                 })
        {
            // Other tests in this process report through the same meter: at least this request moved it.
            Assert.True(Count(after, series) >= Count(before, series) + 1, $"{series}: {Count(before, series)} → {Count(after, series)}");
        }

        Assert.True(Sum(after, "rerank_batch_pairs_count") > Sum(before, "rerank_batch_pairs_count"), "no batch was counted");
        Assert.Contains("rerank_batch_tokens_bucket", after);
        Assert.Contains("rerank_batcher_queue_depth", after);
        Assert.Contains("rerank_cache_lookups_total{otel_scope_name=\"RerankCluster\",cache=\"score\"", after);
        Assert.Contains(httpDurations, after);

        static double Sum(string text, string name) =>
            text.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
                .Sum(l => double.Parse(l.Split(' ')[1]));
    }

    [Fact]
    public async Task Metrics_keep_flowing_after_another_gateway_in_the_process_shuts_down()
    {
        // Every host in a process has meters named Microsoft.AspNetCore.Hosting from its own meter factory;
        // shutting one host down disposes its meters, which must not end another gateway's series.
        const string healthChecks = "http_server_request_duration_seconds_count{otel_scope_name=\"Microsoft.AspNetCore.Hosting\",http_request_method=\"GET\",http_response_status_code=\"200\",http_route=\"/healthz\"";
        await using (var other = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true))
        {
            using var client = new HttpClient { BaseAddress = other.BaseAddress };
            (await client.GetAsync("healthz")).EnsureSuccessStatusCode();
        }

        var before = Count(await Http.GetStringAsync("metrics"), healthChecks);
        (await Http.GetAsync("healthz")).EnsureSuccessStatusCode();
        var after = Count(await Http.GetStringAsync("metrics"), healthChecks);
        for (var attempt = 0; attempt < 50 && after <= before; attempt++)
        {
            await Task.Delay(100);
            after = Count(await Http.GetStringAsync("metrics"), healthChecks);
        }

        Assert.True(after > before, $"{healthChecks}: {before} → {after}");
    }

    private static double Count(string metrics, string series) =>
        metrics.Split('\n').Where(l => l.StartsWith(series, StringComparison.Ordinal)).Select(l => double.Parse(l.Split(' ')[1])).FirstOrDefault();

    private async Task<IEnumerable<JsonElement>> Stage1Only(string index, string query)
    {
        var response = await Http.PostAsync($"v1/indexes/{index}/search", Json($$"""{"query": "{{query}}", "top_k": 3, "candidates": 3}"""));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("results").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
