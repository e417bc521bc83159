using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RerankCluster.Client.Contracts;

namespace RerankCluster.ClusterTests;

/// <summary>Stage 1 through the gateway: lexical and hybrid candidates, merged over shards, and their bad inputs.</summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class HybridSearchTests(EmbeddedGateway gateway)
{
    private HttpClient Http => gateway.Http;

    /// <summary>Troubleshooting notes that differ only in their error code: a bi-encoder sees one meaning in them all.</summary>
    private static readonly DocumentBody[] ErrorNotes =
    [
        new("sync-7731", "Sync daemon error ERR_7731: the daemon stops when the cache directory sits on a read-only mount.", null),
        new("sync-7713", "Sync daemon error ERR_7713: the daemon stops when the cache directory is full.", null),
        new("sync-3177", "Sync daemon error ERR_3177: the daemon stops when the cache directory has the wrong owner.", null),
        new("sync-1773", "Sync daemon error ERR_1773: the daemon stops when the cache directory was moved.", null),
        new("sync-7137", "Sync daemon error ERR_7137: the daemon stops when the cache directory is a symbolic link.", null),
        new("sync-1377", "Sync daemon error ERR_1377: the daemon stops when the cache directory is on a network share.", null),
    ];

    private async Task Index(string name, int shards, IReadOnlyList<DocumentBody> documents)
    {
        var client = gateway.Client;
        await client.CreateIndexAsync(name, new CreateIndexBody(shards, null, null));
        await client.UpsertAsync(name, documents);
    }

    private Task<SearchResponseBody> Search(string index, string query, string mode, string? fusion = null) =>
        gateway.Client.SearchAsync(index, new SearchBody(query, 3, 10, false, 20, Stage1: mode, Stage1Fusion: fusion));

    [Fact]
    public async Task An_error_code_that_dense_retrieval_misses_is_found_by_lexical_and_hybrid()
    {
        await Index("codes", 2, ErrorNotes);

        var dense = await Search("codes", "ERR_7731", "dense");
        var lexical = await Search("codes", "ERR_7731", "lexical");
        var hybrid = await Search("codes", "ERR_7731", "hybrid");

        Assert.NotEqual("sync-7731", dense.Stage1![0].Id);
        Assert.Equal("sync-7731", Assert.Single(lexical.Stage1!).Id);
        Assert.Equal("sync-7731", hybrid.Stage1![0].Id);
        Assert.Equal(("dense", "lexical", "hybrid", "rrf"), (dense.Model.Stage1, lexical.Model.Stage1, hybrid.Model.Stage1, hybrid.Model.Stage1Fusion));
        // Lexical needs no query embedding.
        Assert.Equal(0, lexical.Timings.EmbedMs);
    }

    [Theory]
    [InlineData("lexical", null)]
    [InlineData("hybrid", "rrf")]
    [InlineData("hybrid", "linear")]
    public async Task Three_shards_give_the_single_shard_ranking_of_the_same_corpus(string mode, string? fusion)
    {
        var corpus = SampleCorpus.Documents().Select(d => new DocumentBody(d.Id, d.Text, null)).Concat(ErrorNotes).ToList();
        var suffix = mode + fusion;
        await Index("one-shard-" + suffix, 1, corpus);
        await Index("three-shards-" + suffix, 3, corpus);

        foreach (var query in new[] { "how do stars collapse", "cache directory read-only mount", "ERR_3177 wrong owner" })
        {
            var one = await Search("one-shard-" + suffix, query, mode, fusion);
            var three = await Search("three-shards-" + suffix, query, mode, fusion);

            Assert.NotEmpty(one.Stage1!);
            Assert.Equal(one.Stage1!.Select(h => (h.Id, h.Chunk)), three.Stage1!.Select(h => (h.Id, h.Chunk)));
            Assert.Equal(one.Stage1!.Select(h => h.Score), three.Stage1!.Select(h => h.Score), (a, b) => Math.Abs(a - b) <= 1e-5f * Math.Max(1, Math.Abs(a)));
            // stage1_rank and stage1_score of the results are the fused ones.
            Assert.All(one.Results, hit => Assert.Equal(one.Stage1![hit.Stage1Rank - 1].Score, hit.Stage1Score));
        }
    }

    [Theory]
    [InlineData("""{"query": "x", "stage1": "bm25"}""", "stage1 must be one of dense, lexical, hybrid (got 'bm25')")]
    [InlineData("""{"query": "x", "stage1": "hybrid", "stage1_fusion": "max"}""", "stage1_fusion must be one of rrf, linear (got 'max')")]
    [InlineData("""{"query": "x", "stage1": "hybrid", "rrf_k": 0}""", "rrf_k must be between 1 and")]
    [InlineData("""{"query": "x", "stage1": "hybrid", "rrf_k": -60}""", "rrf_k must be between 1 and")]
    [InlineData("""{"query": "x", "stage1": "hybrid", "lexical_weight": 1.5}""", "lexical_weight must be between 0 and 1")]
    [InlineData("""{"query": "x", "lexical_weight": -0.1}""", "lexical_weight must be between 0 and 1")]
    public async Task Bad_stage1_fields_get_400_naming_the_field(string body, string reason)
    {
        (await Http.PutAsJsonAsync("v1/indexes/stage1-bad", new { shards = 1 })).EnsureSuccessStatusCode();

        var response = await Http.PostAsync("v1/indexes/stage1-bad/search", HttpAssert.Json(body));

        await HttpAssert.Problem(response, HttpStatusCode.BadRequest, reason);
    }

    [Fact]
    public async Task An_index_s_stage1_setting_is_its_searches_default_and_an_unknown_one_is_refused()
    {
        await HttpAssert.Problem(await Http.PutAsJsonAsync("v1/indexes/stage1-unknown", new { stage1 = "sparse" }), HttpStatusCode.BadRequest,
            "stage1 must be one of dense, lexical, hybrid (got 'sparse')");
        var created = await HttpAssert.Ok(await Http.PutAsJsonAsync("v1/indexes/stage1-lexical", new { shards = 1, stage1 = "lexical" }));
        Assert.Equal("lexical", created.GetProperty("stage1").GetString());
        await gateway.Client.UpsertAsync("stage1-lexical", ErrorNotes);

        var byDefault = await gateway.Client.SearchAsync("stage1-lexical", new SearchBody("ERR_1377", 1, 5, false, null));
        var asked = await gateway.Client.SearchAsync("stage1-lexical", new SearchBody("ERR_1377", 1, 5, false, null, Stage1: "dense"));

        Assert.Equal("lexical", byDefault.Model.Stage1);
        Assert.Equal("sync-1377", Assert.Single(byDefault.Results).Id);
        Assert.Equal(1, byDefault.Timings.Candidates);
        Assert.Equal("dense", asked.Model.Stage1);
        Assert.Equal(5, asked.Timings.Candidates);
        await HttpAssert.Problem(await Http.PutAsJsonAsync("v1/indexes/stage1-lexical", new { stage1 = "hybrid" }), HttpStatusCode.Conflict,
            "already exists with stage1 'lexical'");
    }
}
