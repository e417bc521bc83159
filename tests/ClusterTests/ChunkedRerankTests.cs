using System.Net;
using System.Net.Http.Json;
using RerankCluster.Cli.Hosting;
using RerankCluster.Grains.Interfaces;
using static RerankCluster.ClusterTests.HttpAssert;

namespace RerankCluster.ClusterTests;

/// <summary>Cohere v1's max_chunks_per_doc: a long document is scored by its best window beside the query.</summary>
public sealed class ChunkedRerankTests
{
    private const string Query = "what is the capital of france";
    private const string Answer = "Paris is the capital of France.";

    [Fact]
    public async Task With_max_chunks_per_doc_a_long_document_is_scored_by_its_best_window_not_its_start()
    {
        // A short cross-encoder window, so that a document of a few hundred words is several pairs long.
        await using var cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true, settings: new Dictionary<string, string?>
        {
            ["CrossEncoder:MaxLength"] = "64",
            ["Cache:Scores"] = "0",
        });
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        // The answer comes after ~170 tokens of prose on another topic: a single truncated pair never sees it.
        var filler = string.Join(' ', Enumerable.Repeat("Tomatoes need full sun, deep watering and rich soil to grow well in a summer garden.", 10));
        string[] documents = ["Bread is made from flour and water.", filler + " " + Answer];

        async Task<double[]> Scores(int? chunks, string[] texts)
        {
            var body = await Ok(await http.PostAsJsonAsync("v1/rerank", new { query = Query, documents = texts, max_chunks_per_doc = chunks }));
            return body.GetProperty("results").EnumerateArray()
                .OrderBy(r => r.GetProperty("index").GetInt32()).Select(r => r.GetProperty("relevance_score").GetDouble()).ToArray();
        }

        var truncated = await Scores(null, documents);
        var chunked = await Scores(RerankLimits.MaxChunksPerDoc, documents);
        var answerAlone = (await Scores(null, [Answer]))[0];

        Assert.True(chunked[1] > truncated[1], $"chunked {chunked[1]} vs truncated {truncated[1]}");
        Assert.True(chunked[1] > chunked[0], "the long document with the answer ranks above the short one that has none");
        // Its best window holds the answer with a little of the filler before it: close to the answer alone.
        Assert.InRange(chunked[1], answerAlone - 0.25, 1.0);
        Assert.Equal(truncated[0], chunked[0], 1e-6); // a short document is one window either way

        var refused = await http.PostAsJsonAsync("v1/rerank", new { query = Query, documents, max_chunks_per_doc = 0 });
        await Problem(refused, HttpStatusCode.BadRequest, "max_chunks_per_doc");
    }
}
