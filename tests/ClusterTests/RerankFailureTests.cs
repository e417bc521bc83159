using System.Net;
using System.Net.Http.Json;
using RerankCluster.Cli.Hosting;

namespace RerankCluster.ClusterTests;

/// <summary>A rerank that cannot finish in Rerank:Timeout fails the search clearly, or degrades to stage-1 order, as configured.</summary>
public sealed class RerankFailureTests
{
    private static async Task<(EmbeddedCluster Cluster, HttpClient Http)> Start(string onFailure)
    {
        var cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true, settings: new Dictionary<string, string?>
        {
            // Nothing reranks in a microsecond: every search meets the failure path.
            ["Rerank:Timeout"] = "00:00:00.000001",
            ["Rerank:OnFailure"] = onFailure,
        });
        var http = new HttpClient { BaseAddress = cluster.BaseAddress };
        await HttpAssert.Ok(await http.PutAsJsonAsync("v1/indexes/docs", new { shards = 2 }));
        await HttpAssert.Ok(await http.PostAsJsonAsync("v1/indexes/docs/documents", new
        {
            documents = SampleCorpus.Documents().Take(8).Select(d => new { id = d.Id, text = d.Text }),
        }));
        return (cluster, http);
    }

    [Fact]
    public async Task Fail_mode_answers_504_naming_the_timeout()
    {
        var (cluster, http) = await Start("Fail");
        await using (cluster)
        using (http)
        {
            var response = await http.PostAsJsonAsync("v1/indexes/docs/search", new { query = "capital of australia", top_k = 3, candidates = 8 });
            await HttpAssert.Problem(response, HttpStatusCode.GatewayTimeout, "Rerank:Timeout");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);
        }
    }

    [Fact]
    public async Task Stage1_mode_answers_in_bi_encoder_order_marked_degraded()
    {
        var (cluster, http) = await Start("Stage1Order");
        await using (cluster)
        using (http)
        {
            var body = await HttpAssert.Ok(await http.PostAsJsonAsync("v1/indexes/docs/search",
                new { query = "capital of australia", top_k = 3, candidates = 8 }));
            Assert.True(body.GetProperty("degraded").GetBoolean());
            Assert.Contains("Degraded", body.GetProperty("warnings")[0].GetString());
            var results = body.GetProperty("results").EnumerateArray().ToArray();
            Assert.Equal([1, 2, 3], results.Select(r => r.GetProperty("stage1_rank").GetInt32()));
            Assert.All(results, r => Assert.Equal(r.GetProperty("stage1_score").GetDouble(), r.GetProperty("score").GetDouble(), 1e-6));
        }
    }
}
