using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RerankCluster.ClusterTests.Browser;
using static RerankCluster.ClusterTests.HttpAssert;

namespace RerankCluster.ClusterTests;

/// <summary>
/// The /ui workbench in headless Chromium against a gateway with keys: what the page shows is what the
/// API answers for the same request. Screenshots go to screenshots/ beside the test binaries.
/// </summary>
[Collection(SecuredGatewayCollection.Name)]
public sealed class WorkbenchUiTests(SecuredGateway gateway)
{
    private const string Index = "workbench";
    // On these sample documents, with the reranker's order alone (stage-1 weight 0), stage 2 swaps stage 1's
    // first two and lifts its 5th into the top 3: a column in any other order cannot pass for the right one.
    private const string Query = "why does bread rise";
    private const double Stage1Weight = 0;
    private static readonly string[] Documents = ["cook-1", "econ-1", "bio-3", "bio-2", "geo-1", "geo-2", "astro-1", "tech-6", "env-1", "sport-1"];
    private const int Candidates = 8;
    private const int TopK = 3;

    private static string Screenshots => Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task The_page_shows_the_servers_stage1_and_stage2_orders_its_rerank_scores_and_its_refusal_of_a_wrong_key()
    {
        // Only a guard against a hang: every wait below ends as soon as its condition holds.
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var ct = hang.Token;
        using var api = await gateway.NewTenant("workbench-ui");
        await Ok(await api.PutAsJsonAsync($"v1/indexes/{Index}", new { shards = 2 }, ct));
        foreach (var batch in SampleCorpus.Documents().Where(d => Documents.Contains(d.Id)).Chunk(SecuredGateway.MaxDocumentsPerRequest))
        {
            await UpsertAsync(api, batch.Select(d => new { id = d.Id, text = d.Text }).ToArray(), ct);
        }

        await using var browser = await HeadlessChromium.StartAsync(ct);
        await browser.NavigateAsync(new Uri(gateway.BaseAddress, "ui"), ct);
        Assert.EndsWith("/ui/", (await browser.EvaluateAsync("location.pathname", ct)).GetString());

        // A wrong key: the page shows the server's own problem-details message and stays signed out.
        using var wrong = gateway.Client("rk_wrong-key-for-the-workbench");
        var refusal = await wrong.GetAsync("v1/indexes", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refusal.StatusCode);
        var message = (await refusal.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("detail").GetString()!;
        await SignIn(browser, "rk_wrong-key-for-the-workbench", ct);
        await browser.WaitForAsync("!document.getElementById('error').hidden", ct);
        Assert.Contains(message, await Text(browser, "#error", ct));
        Assert.Equal("false", await Script(browser, "document.body.dataset.signedIn", ct));
        Assert.Equal(JsonValueKind.Null, (await browser.EvaluateAsync("sessionStorage.getItem('rerankcluster.apiKey')", ct)).ValueKind);

        // The tenant's key: its indexes are offered, and the key stays in this tab's session storage only.
        var key = api.DefaultRequestHeaders.Authorization!.Parameter!;
        await SignIn(browser, key, ct);
        await browser.WaitForAsync("document.body.dataset.signedIn === 'true'", ct);
        Assert.Equal("true", await Script(browser, "document.getElementById('error').hidden", ct));
        Assert.Equal(key, await Script(browser, "sessionStorage.getItem('rerankcluster.apiKey')", ct));
        Assert.Equal(JsonValueKind.Null, (await browser.EvaluateAsync("localStorage.getItem('rerankcluster.apiKey')", ct)).ValueKind);
        Assert.Equal([Index], await Items(browser, "#index option", "el.value", ct));

        // A search: the columns hold exactly the server's stage-1 candidates and stage-2 top k, in order.
        await browser.EvaluateAsync($$"""
            (() => {
              document.getElementById('index').value = {{JsonSerializer.Serialize(Index)}};
              document.getElementById('query').value = {{JsonSerializer.Serialize(Query)}};
              document.getElementById('candidates').value = '{{Candidates}}';
              document.getElementById('top-k').value = '{{TopK}}';
              document.getElementById('stage1-weight').value = '{{Stage1Weight}}';
              document.getElementById('search').click();
            })()
            """, ct);
        await browser.WaitForAsync("document.getElementById('results').dataset.state !== 'loading'", ct);
        Assert.Equal("done", await Script(browser, "document.getElementById('results').dataset.state", ct));
        var server = await Ok(await api.PostAsJsonAsync($"v1/indexes/{Index}/search",
            new { query = Query, candidates = Candidates, top_k = TopK, stage1_depth = Candidates, stage1_weight = Stage1Weight }, ct));
        var serverStage1 = server.GetProperty("stage1").EnumerateArray().Select(Hit).ToList();
        var serverStage2 = server.GetProperty("results").EnumerateArray().Select(Hit).ToList();
        Assert.Equal(Candidates, serverStage1.Count);
        var serverStage1Ranks = server.GetProperty("results").EnumerateArray().Select(h => h.GetProperty("stage1_rank").GetInt32()).ToList();
        Assert.NotEqual(serverStage1Ranks.Order(), serverStage1Ranks);
        Assert.Equal(serverStage1, await Items(browser, "#stage1 li", "el.dataset.id + '#' + el.dataset.chunk", ct));
        Assert.Equal(serverStage2, await Items(browser, "#stage2 li", "el.dataset.id + '#' + el.dataset.chunk", ct));
        Assert.Equal(server.GetProperty("stage1").EnumerateArray().Select(h => h.GetProperty("text").GetString()),
            await Items(browser, "#stage1 li .text", "el.textContent", ct));
        // Each stage-2 item says where stage 1 had it, as the server reports it.
        Assert.All((await Items(browser, "#stage2 li .delta", "el.textContent", ct)).Zip(serverStage1Ranks),
            pair => Assert.EndsWith($"stage 1 #{pair.Second}", pair.First));
        // The honesty label follows the server's flag; highlighted words are the query's own.
        Assert.Equal(server.GetProperty("model").GetProperty("scores_are_relevance").GetBoolean() ? "true" : "false",
            await Script(browser, "document.getElementById('not-relevance').hidden", ct));
        var marked = await Items(browser, "mark", "el.textContent", ct);
        Assert.NotEmpty(marked);
        Assert.All(marked, word => Assert.Contains(Query.Split(' '), queryWord => word.StartsWith(queryWord, StringComparison.OrdinalIgnoreCase)));
        await browser.ScreenshotAsync(Path.Combine(Screenshots, "workbench-search.png"), ct);

        // On a phone-sized screen the columns stack and nothing sticks out sideways.
        await browser.ResizeAsync(390, 844, mobile: true, ct);
        Assert.Equal("true", await Script(browser, """
            (() => {
              const [first, second] = [...document.querySelectorAll('#results > section')].map(s => s.getBoundingClientRect());
              return second.top >= first.bottom;
            })()
            """, ct));
        var overflowing = await browser.EvaluateAsync(
            "[...document.querySelectorAll('body *')].filter(el => el.getBoundingClientRect().right > 390).map(el => `${el.tagName}#${el.id}.${el.className}`)", ct);
        Assert.Empty(overflowing.EnumerateArray());
        await browser.ScreenshotAsync(Path.Combine(Screenshots, "workbench-phone.png"), ct);
        await browser.ResizeAsync(1280, 1000, mobile: false, ct);

        // Stage 1 switched to BM25: the stage-1 column is the server's lexical candidate list, not the dense one.
        await browser.EvaluateAsync("""
            (() => {
              document.getElementById('stage1-mode').value = 'lexical';
              document.getElementById('search').click();
            })()
            """, ct);
        await browser.WaitForAsync("document.getElementById('results').dataset.state !== 'loading'", ct);
        Assert.Equal("done", await Script(browser, "document.getElementById('results').dataset.state", ct));
        var lexical = await Ok(await api.PostAsJsonAsync($"v1/indexes/{Index}/search",
            new { query = Query, candidates = Candidates, top_k = TopK, stage1_depth = Candidates, stage1_weight = Stage1Weight, stage1 = "lexical" }, ct));
        Assert.Equal("lexical", lexical.GetProperty("model").GetProperty("stage1").GetString());
        var lexicalStage1 = lexical.GetProperty("stage1").EnumerateArray().Select(Hit).ToList();
        Assert.NotEqual(serverStage1, lexicalStage1);
        Assert.Equal(lexicalStage1, await Items(browser, "#stage1 li", "el.dataset.id + '#' + el.dataset.chunk", ct));
        Assert.Equal(lexical.GetProperty("results").EnumerateArray().Select(Hit), await Items(browser, "#stage2 li", "el.dataset.id + '#' + el.dataset.chunk", ct));
        Assert.Contains("stage 1lexical", await Items(browser, "#timings div", "el.textContent", ct));
        await browser.ScreenshotAsync(Path.Combine(Screenshots, "workbench-lexical.png"), ct);

        // The rerank tab: pasted passages come back in the order and with the scores POST /v1/rerank gives.
        string[] passages = ["Prices rise with inflation.", "Yeast makes gas, and the gas makes bread dough rise.", "Bread is baked in an oven."];
        await browser.EvaluateAsync($$"""
            (() => {
              document.getElementById('tab-rerank').click();
              document.getElementById('rerank-query').value = {{JsonSerializer.Serialize(Query)}};
              document.getElementById('passages').value = {{JsonSerializer.Serialize(string.Join("\n\n", passages))}};
              document.getElementById('rerank').click();
            })()
            """, ct);
        await browser.WaitForAsync("document.getElementById('rerank-results').dataset.state !== 'loading'", ct);
        Assert.Equal("done", await Script(browser, "document.getElementById('rerank-results').dataset.state", ct));
        var scored = await Ok(await api.PostAsJsonAsync("v1/rerank", new { query = Query, documents = passages }, ct));
        Assert.Equal(scored.GetProperty("results").EnumerateArray().Select(r => $"passage {r.GetProperty("index").GetInt32() + 1}"),
            await Items(browser, "#rerank-results li", "el.dataset.id", ct));
        Assert.Equal(scored.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("relevance_score").GetDouble().ToString("F4", System.Globalization.CultureInfo.InvariantCulture)),
            await Items(browser, "#rerank-results li dd", "el.textContent", ct));
        await browser.ScreenshotAsync(Path.Combine(Screenshots, "workbench-rerank.png"), ct);

        Assert.Empty(browser.ScriptErrors);
    }

    private static async Task UpsertAsync(HttpClient api, object[] documents, CancellationToken ct)
    {
        var job = await Ok(await api.PostAsJsonAsync($"v1/indexes/{Index}/documents", new { documents }, ct));
        // A job that outlasts Indexing:UpsertWait answers 202: follow it until it has finished.
        while (job.TryGetProperty("status", out var status) && status.GetString() == "running")
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            job = await Ok(await api.GetAsync($"v1/indexes/{Index}/jobs/{job.GetProperty("job_id").GetString()}", ct));
        }

        Assert.False(job.TryGetProperty("status", out var final) && final.GetString() != "succeeded", job.ToString());
    }

    private static Task SignIn(HeadlessChromium browser, string key, CancellationToken ct) => browser.EvaluateAsync($$"""
        (() => {
          document.getElementById('key').value = {{JsonSerializer.Serialize(key)}};
          document.getElementById('sign-in-button').click();
        })()
        """, ct);

    private static string Hit(JsonElement hit) => $"{hit.GetProperty("id").GetString()}#{hit.GetProperty("chunk").GetInt32()}";

    private static async Task<string?> Script(HeadlessChromium browser, string expression, CancellationToken ct)
    {
        var value = await browser.EvaluateAsync($"String({expression})", ct);
        return value.GetString();
    }

    private static async Task<string> Text(HeadlessChromium browser, string selector, CancellationToken ct) =>
        (await Script(browser, $"document.querySelector({JsonSerializer.Serialize(selector)}).textContent", ct))!;

    /// <summary>A projection of every element matching the selector, in document order.</summary>
    private static async Task<List<string>> Items(HeadlessChromium browser, string selector, string projection, CancellationToken ct)
    {
        var values = await browser.EvaluateAsync(
            $"[...document.querySelectorAll({JsonSerializer.Serialize(selector)})].map(el => String({projection}))", ct);
        return values.EnumerateArray().Select(v => v.GetString()!).ToList();
    }
}
