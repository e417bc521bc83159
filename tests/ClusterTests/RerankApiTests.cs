using System.Net;
using System.Text.Json;
using static RerankCluster.ClusterTests.HttpAssert;

namespace RerankCluster.ClusterTests;

/// <summary>The stateless rerank routes, checked field by field against what Cohere, Jina and TEI clients read.</summary>
[Collection(SecuredGatewayCollection.Name)]
public sealed class RerankApiTests(SecuredGateway gateway)
{
    private const string Query = "what is the capital of france";
    private static readonly string[] Documents =
    [
        "Paris is the capital of France.",
        "Berlin is the capital of Germany.",
        "Bread is made from flour and water.",
        "France borders Spain and Italy.",
    ];

    private static float[] ExpectedLogits(int? maxTokensPerDoc = null) => ShippedReranker.Logits(Query, Documents, maxTokensPerDoc);

    [Fact]
    public async Task Cohere_shaped_request_and_response()
    {
        using var client = await gateway.NewTenant("cohere-client");
        var response = await client.PostAsync("v1/rerank", Json(JsonSerializer.Serialize(new
        {
            query = Query,
            documents = new object[] { Documents[0], new { text = Documents[1] }, Documents[2], new { text = Documents[3] } },
            top_n = 3,
            return_documents = true,
        })));
        var body = await Ok(response);
        Assert.True(response.Headers.Contains("x-inference-time"));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("id").GetString()));
        Assert.Equal(1, body.GetProperty("meta").GetProperty("billed_units").GetProperty("search_units").GetInt32());
        Assert.Equal("1", body.GetProperty("meta").GetProperty("api_version").GetProperty("version").GetString());

        var logits = ExpectedLogits();
        var expectedOrder = Enumerable.Range(0, Documents.Length).OrderByDescending(i => logits[i]).Take(3).ToArray();
        var results = body.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(expectedOrder, results.Select(r => r.GetProperty("index").GetInt32()));
        // Judged, not computed: the one passage that answers the question comes first.
        Assert.Equal(0, results[0].GetProperty("index").GetInt32());
        foreach (var result in results)
        {
            var index = result.GetProperty("index").GetInt32();
            var score = result.GetProperty("relevance_score").GetDouble();
            Assert.InRange(score, 0, 1);
            Assert.Equal(1 / (1 + Math.Exp(-logits[index])), score, 1e-4);
            Assert.Equal(Documents[index], result.GetProperty("document").GetProperty("text").GetString());
        }
    }

    [Fact]
    public async Task Cohere_rank_fields_score_the_named_fields_as_field_value_lines_and_return_the_callers_objects()
    {
        using var client = await gateway.NewTenant("cohere-rank-fields");
        // The answer sits in one document's title and in another's body: which fields are read decides the order.
        var documents = new object[]
        {
            new { id = 7, title = "Paris is the capital of France.", body = "Bread is made from flour and water.", tags = new[] { "geo" } },
            new { id = 8, title = "Bread is made from flour and water.", body = "Paris is the capital of France." },
            new { id = 9, title = "Germany", body = "Berlin is the capital of Germany." },
        };
        // Which document answers, judged by hand, for the fields read: only the title, only the body, or both.
        (string[] Fields, int[] Answers)[] cases = [(["title"], [0]), (["body"], [1]), (["title", "body"], [0, 1])];
        foreach (var (fields, answers) in cases)
        {
            var body = await Ok(await client.PostAsync("v1/rerank", Json(JsonSerializer.Serialize(new
            {
                query = Query, documents, rank_fields = fields, return_documents = true,
            }))));

            // Cohere's documented format, built here independently: one "field: value" line per named field present.
            var texts = documents.Select(d => JsonSerializer.SerializeToElement(d))
                .Select(d => string.Join('\n', fields.Where(f => d.TryGetProperty(f, out _)).Select(f => $"{f}: {d.GetProperty(f).GetString()}")))
                .ToArray();
            var logits = ShippedReranker.Logits(Query, texts);
            var results = body.GetProperty("results").EnumerateArray().ToArray();
            Assert.Equal(Enumerable.Range(0, texts.Length).OrderByDescending(i => logits[i]), results.Select(r => r.GetProperty("index").GetInt32()));
            Assert.Contains(results[0].GetProperty("index").GetInt32(), answers);
            foreach (var result in results)
            {
                var index = result.GetProperty("index").GetInt32();
                Assert.Equal(1 / (1 + Math.Exp(-logits[index])), result.GetProperty("relevance_score").GetDouble(), 1e-4);
                Assert.Equal(JsonSerializer.Serialize(documents[index]), result.GetProperty("document").GetRawText());
            }
        }

        var none = await client.PostAsync("v1/rerank", Json(JsonSerializer.Serialize(new
        {
            query = Query, documents = new object[] { documents[0], new { id = 10, summary = "France" } }, rank_fields = new[] { "title", "body" },
        })));
        await Problem(none, HttpStatusCode.BadRequest, "documents[1] has none of the rank_fields (title, body)");
        var empty = await client.PostAsync("v1/rerank", Json(JsonSerializer.Serialize(new { query = Query, documents, rank_fields = new[] { "" } })));
        await Problem(empty, HttpStatusCode.BadRequest, "rank_fields");
    }

    [Fact]
    public async Task Jina_shaped_request_and_response()
    {
        using var client = await gateway.NewTenant("jina-client");
        var body = await Ok(await client.PostAsync("v1/rerank", Json(JsonSerializer.Serialize(new
        {
            model = ShippedReranker.Name,
            query = Query,
            documents = Documents,
            top_n = 2,
            return_documents = false,
        }))));
        Assert.Equal(ShippedReranker.Name, body.GetProperty("model").GetString());
        Assert.True(body.GetProperty("usage").GetProperty("total_tokens").GetInt64() > Documents.Length * 5);
        var results = body.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(2, results.Length);
        Assert.All(results, r => Assert.False(r.TryGetProperty("document", out _)));
        Assert.True(results[0].GetProperty("relevance_score").GetDouble() >= results[1].GetProperty("relevance_score").GetDouble());
    }

    [Fact]
    public async Task Cohere_v2_shaped_request_and_response_with_max_tokens_per_doc()
    {
        using var client = await gateway.NewTenant("cohere-v2-client");
        var body = await Ok(await client.PostAsync("v2/rerank", Json(JsonSerializer.Serialize(new
        {
            model = ShippedReranker.Name,
            query = Query,
            documents = Documents,
            top_n = 3,
            max_tokens_per_doc = 3,
        }))));

        Assert.False(string.IsNullOrEmpty(body.GetProperty("id").GetString()));
        var meta = body.GetProperty("meta");
        Assert.Equal("2", meta.GetProperty("api_version").GetProperty("version").GetString());
        Assert.Equal(1, meta.GetProperty("billed_units").GetProperty("search_units").GetInt32());
        // Each document scored as its first three tokens, exactly as the tokenizer cuts it.
        var logits = ExpectedLogits(maxTokensPerDoc: 3);
        var results = body.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(Enumerable.Range(0, Documents.Length).OrderByDescending(i => logits[i]).Take(3), results.Select(r => r.GetProperty("index").GetInt32()));
        foreach (var result in results)
        {
            Assert.Equal(["index", "relevance_score"], result.EnumerateObject().Select(p => p.Name));
            Assert.Equal(1 / (1 + Math.Exp(-logits[result.GetProperty("index").GetInt32()])), result.GetProperty("relevance_score").GetDouble(), 1e-4);
        }
    }

    [Fact]
    public async Task An_unknown_model_is_refused_naming_the_served_ones_on_v1_and_v2()
    {
        using var client = await gateway.NewTenant("unknown-model-client");
        foreach (var route in new[] { "v1/rerank", "v2/rerank" })
        {
            var response = await client.PostAsync(route, Json(JsonSerializer.Serialize(new { model = "no-such/model", query = Query, documents = Documents })));
            await Problem(response, HttpStatusCode.BadRequest, "'no-such/model' is not served");
            await Problem(response, HttpStatusCode.BadRequest, ShippedReranker.Name);
        }
    }

    [Fact]
    public async Task A_configured_alias_is_served_by_its_model_and_reported_under_the_models_own_name()
    {
        using var client = await gateway.NewTenant("alias-client");
        var logits = ExpectedLogits();
        foreach (var route in new[] { "v1/rerank", "v2/rerank" })
        {
            var body = await Ok(await client.PostAsync(route, Json(JsonSerializer.Serialize(new { model = SecuredGateway.CohereAlias, query = Query, documents = Documents }))));
            var results = body.GetProperty("results").EnumerateArray().ToArray();
            Assert.Equal(Enumerable.Range(0, Documents.Length).OrderByDescending(i => logits[i]), results.Select(r => r.GetProperty("index").GetInt32()));
            if (body.TryGetProperty("model", out var model))
            {
                Assert.Equal(ShippedReranker.Name, model.GetString());
            }
        }
    }

    [Fact]
    public async Task A_served_model_that_was_never_pulled_answers_503_model_unavailable_not_409()
    {
        using var client = await gateway.NewTenant("never-pulled-client");
        var response = await client.PostAsync("v2/rerank",
            Json(JsonSerializer.Serialize(new { model = SecuredGateway.NeverPulledModel, query = Query, documents = Documents })));

        await Problem(response, HttpStatusCode.ServiceUnavailable, $"rerank models pull {SecuredGateway.NeverPulledModel}");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task The_default_cross_encoder_has_one_name_in_index_info_search_and_rerank()
    {
        using var client = await gateway.NewTenant("model-name-client");
        var created = await Ok(await client.PutAsync("v1/indexes/named", Json("""{"shards": 1}""")));
        await Ok(await client.PostAsync("v1/indexes/named/documents", Json("""{"documents": [{"id": "p", "text": "Paris is the capital of France."}]}""")));
        var info = await Ok(await client.GetAsync("v1/indexes/named"));
        var search = await Ok(await client.PostAsync("v1/indexes/named/search", Json("""{"query": "capital of France", "top_k": 1, "candidates": 1}""")));
        // Its own query: pairs other tests score would come from the cache, and the Jina test counts tokens.
        var rerank = await Ok(await client.PostAsync("v1/rerank", Json(JsonSerializer.Serialize(new { query = "capital of France", documents = Documents }))));

        // The name that actually scored, as the search reports it, is the shipped model's and the one everything else reports.
        var scored = search.GetProperty("model").GetProperty("cross_encoder").GetString();
        Assert.Equal(ShippedReranker.Name, scored);
        Assert.Equal(scored, created.GetProperty("cross_encoder").GetString());
        Assert.Equal(scored, info.GetProperty("cross_encoder").GetString());
        Assert.Equal(scored, rerank.GetProperty("model").GetString());
        // And an index may name it explicitly.
        await Ok(await client.PutAsync("v1/indexes/named-explicitly", Json(JsonSerializer.Serialize(new { cross_encoder = scored }))));
    }

    [Fact]
    public async Task Tei_shaped_request_and_response()
    {
        using var client = await gateway.NewTenant("tei-client");
        var probabilities = await Ok(await client.PostAsync("rerank", Json(JsonSerializer.Serialize(new
        {
            query = Query,
            texts = Documents,
            return_text = true,
            truncate = true,
        }))));
        var raw = await Ok(await client.PostAsync("rerank", Json(JsonSerializer.Serialize(new { query = Query, texts = Documents, raw_scores = true }))));

        var logits = ExpectedLogits();
        var ranked = probabilities.EnumerateArray().ToArray();
        Assert.Equal(Documents.Length, ranked.Length);
        Assert.Equal(Enumerable.Range(0, Documents.Length).OrderByDescending(i => logits[i]), ranked.Select(r => r.GetProperty("index").GetInt32()));
        foreach (var item in ranked)
        {
            var index = item.GetProperty("index").GetInt32();
            Assert.Equal(Documents[index], item.GetProperty("text").GetString());
            Assert.Equal(1 / (1 + Math.Exp(-logits[index])), item.GetProperty("score").GetDouble(), 1e-4);
        }

        foreach (var item in raw.EnumerateArray())
        {
            Assert.False(item.TryGetProperty("text", out _));
            Assert.Equal(logits[item.GetProperty("index").GetInt32()], item.GetProperty("score").GetDouble(), 1e-4);
        }
    }

    [Fact]
    public async Task Tei_probes_truncation_and_errors_behave_as_tei()
    {
        using var client = await gateway.NewTenant("tei-details");
        using var anonymous = new HttpClient { BaseAddress = client.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("health")).StatusCode);
        var info = await Ok(await anonymous.GetAsync("info"));
        var served = (await Ok(await client.PostAsync("v1/rerank", Json(JsonSerializer.Serialize(new { query = Query, documents = Documents })))))
            .GetProperty("model").GetString();
        Assert.Equal(served, info.GetProperty("model_id").GetString());
        Assert.Equal(512, info.GetProperty("max_input_length").GetInt32());
        Assert.True(info.GetProperty("max_batch_tokens").GetInt64() >= 512);
        Assert.True(info.GetProperty("model_type").GetProperty("reranker").TryGetProperty("id2label", out _));

        // The answer sits at the end of a long document: cut from the left it is kept, cut from the right it is lost.
        // Past the model's 512 tokens, within Limits:MaxTextCharacters.
        var filler = string.Join(' ', Enumerable.Repeat("x", 560));
        var longDocument = $"{filler} Paris is the capital of France.";
        float Score(JsonElement ranked) => (float)ranked.EnumerateArray().Single().GetProperty("score").GetDouble();
        var left = Score(await Ok(await client.PostAsync("rerank", Json(JsonSerializer.Serialize(new
            { query = Query, texts = new[] { longDocument }, raw_scores = true, truncation_direction = "Left" })))));
        var right = Score(await Ok(await client.PostAsync("rerank", Json(JsonSerializer.Serialize(new
            { query = Query, texts = new[] { longDocument }, raw_scores = true, truncation_direction = "Right" })))));
        Assert.True(left > right + 1, $"left {left}, right {right}");

        await TeiError(await client.PostAsync("rerank", Json(JsonSerializer.Serialize(new { query = Query, texts = Documents, truncation_direction = "Sideways" }))),
            HttpStatusCode.UnprocessableEntity, "Validation", "truncation_direction");
        await TeiError(await client.PostAsync("rerank", Json(JsonSerializer.Serialize(new { query = Query, texts = new[] { longDocument }, truncate = false }))),
            HttpStatusCode.RequestEntityTooLarge, "Validation", "truncate is false");
        Assert.Equal(HttpStatusCode.OK,
            (await client.PostAsync("rerank", Json(JsonSerializer.Serialize(new { query = Query, texts = Documents, truncate = false })))).StatusCode);
        await TeiError(await anonymous.PostAsync("rerank", Json(JsonSerializer.Serialize(new { query = Query, texts = Documents }))),
            HttpStatusCode.Unauthorized, "Unauthorized", "An API key is required");
    }

    [Fact]
    public async Task Usage_counts_the_tokens_scored_whether_the_model_or_the_cache_answered()
    {
        using var client = await gateway.NewTenant("usage-client");
        var request = JsonSerializer.Serialize(new { query = "usage of tokens question", documents = Documents });
        var first = await Ok(await client.PostAsync("v1/rerank", Json(request)));
        var cached = await Ok(await client.PostAsync("v1/rerank", Json(request)));

        var tokens = first.GetProperty("usage").GetProperty("total_tokens").GetInt64();
        Assert.True(tokens > Documents.Length * 5, $"{tokens} tokens");
        Assert.Equal(tokens, cached.GetProperty("usage").GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public async Task Malformed_rerank_requests_get_400()
    {
        using var client = await gateway.NewTenant("rerank-errors");
        await Problem(await client.PostAsync("v1/rerank", Json("""{"query": "q", "documents": [3]}""")), HttpStatusCode.BadRequest,
            "documents[0] must be a string or an object");
        await Problem(await client.PostAsync("v1/rerank", Json("""{"query": "", "documents": ["a"]}""")), HttpStatusCode.BadRequest, "query must not be empty");
        await Problem(await client.PostAsync("v1/rerank", Json("""{"query": "q", "documents": []}""")), HttpStatusCode.BadRequest, "documents must not be empty");
        await Problem(await client.PostAsync("v1/rerank", Json("""{"query": "q", "documents": ["a"], "top_n": 0}""")), HttpStatusCode.BadRequest, "top_n must be at least 1");
        // TEI's routes answer in TEI's error shape.
        await TeiError(await client.PostAsync("rerank", Json("""{"query": "q"}""")), HttpStatusCode.BadRequest, "Validation", "texts is required");
        await TeiError(await client.PostAsync("rerank", Json("{\"query\": \"q\", \"texts\": ")), HttpStatusCode.BadRequest, "Validation", "not valid JSON");
    }
}
