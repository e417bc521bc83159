using System.Net;
using System.Net.Http.Json;
using RerankCluster.Cli.Hosting;

namespace RerankCluster.ClusterTests;

/// <summary>What a client sees when the rerank silos cannot take its work: 429 past the admission budget, 503 with none active.</summary>
public sealed class AdmissionTests
{
    [Fact]
    public async Task Past_the_admission_budget_reranks_are_refused_with_429_and_Retry_After_while_admitted_ones_complete()
    {
        // One batch's worth of queued tokens: a request is admitted only while the queue is empty.
        await using var cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true, settings: new Dictionary<string, string?>
        {
            ["Batching:MaxBatchTokens"] = "512",
            ["Batching:MaxQueuedTokens"] = "512",
            ["Cache:Scores"] = "0",
        });
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        var documents = Enumerable.Range(0, 16)
            .Select(d => $"Passage {d}: " + string.Join(' ', Enumerable.Repeat("rivers carve valleys through the mountains", 25)))
            .ToArray();

        // Each request alone is past the budget, so while one is queued every other that arrives is refused.
        var responses = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(q => http.PostAsJsonAsync("v1/rerank", new { query = $"question {q} about rivers", documents })));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        var admitted = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToArray();
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToArray();
        Assert.NotEmpty(admitted);
        Assert.NotEmpty(refused);
        foreach (var response in admitted)
        {
            Assert.Equal(documents.Length, (await HttpAssert.Ok(response)).GetProperty("results").GetArrayLength());
        }

        foreach (var response in refused)
        {
            Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "a 429 without Retry-After");
            await HttpAssert.Problem(response, HttpStatusCode.TooManyRequests, "Batching:MaxQueuedTokens");
        }
    }

    [Fact]
    public async Task With_no_active_model_silo_upserts_and_reranks_answer_503_naming_the_cause()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true, settings: new Dictionary<string, string?>
        {
            ["Orleans:Metadata:role"] = "shards",
        });
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        await HttpAssert.Ok(await http.PutAsJsonAsync("v1/indexes/norerank", new { shards = 1 }));
        var upsert = await http.PostAsJsonAsync("v1/indexes/norerank/documents",
            new { documents = new[] { new { id = "paris", text = "Paris is the capital of France." } } });
        await HttpAssert.Problem(upsert, HttpStatusCode.ServiceUnavailable, "No active silo serves models");
        Assert.NotNull(upsert.Headers.RetryAfter);

        var rerank = await http.PostAsJsonAsync("v1/rerank", new { query = "capital of France", documents = new[] { "Paris.", "Bread." } });

        await HttpAssert.Problem(rerank, HttpStatusCode.ServiceUnavailable, "No active silo reranks");
        Assert.NotNull(rerank.Headers.RetryAfter);
    }

    [Fact]
    public async Task Past_MaxConcurrentRequests_in_flight_the_gateway_answers_429_at_once_and_probes_still_pass()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true, settings: new Dictionary<string, string?>
        {
            ["Limits:MaxConcurrentRequests"] = "1",
        });
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        await HttpAssert.Ok(await http.GetAsync("readyz")); // up, without taking a permit

        // A rerank whose body stops halfway holds the only permit until the test sends the rest. It is written on a
        // socket of its own, so its headers are on the wire before the first probe (HttpClient may hold them back).
        const string first = "{\"query\": \"capital of France\", ";
        const string rest = "\"documents\": [\"Paris is the capital of France.\", \"Bread.\"]}";
        async Task<System.Net.Sockets.TcpClient> Hold()
        {
            var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(cluster.BaseAddress.Host, cluster.BaseAddress.Port);
            await client.GetStream().WriteAsync(System.Text.Encoding.UTF8.GetBytes(
                $"POST /v1/rerank HTTP/1.1\r\nHost: {cluster.BaseAddress.Authority}\r\nContent-Type: application/json\r\n" +
                $"Content-Length: {System.Text.Encoding.UTF8.GetByteCount(first + rest)}\r\nConnection: close\r\n\r\n{first}"));
            return client;
        }

        var held = await Hold();
        HttpResponseMessage? refused = null;
        for (var attempt = 0; attempt < 200 && refused is null; attempt++)
        {
            if (held.Available > 0)
            {
                // Answered already: it arrived while a probe held the permit and was itself refused. Hold again.
                held.Dispose();
                held = await Hold();
            }

            var response = await http.GetAsync("info");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                await HttpAssert.Ok(response); // the held request has not reached the gateway yet
                await Task.Delay(50);
            }
        }

        Assert.NotNull(refused);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "a 429 without Retry-After");
        await HttpAssert.TeiError(refused, HttpStatusCode.TooManyRequests, "Overloaded", "Limits:MaxConcurrentRequests");
        await HttpAssert.Problem(await http.GetAsync("v1/indexes/held"), HttpStatusCode.TooManyRequests, "Limits:MaxConcurrentRequests");
        await HttpAssert.Ok(await http.GetAsync("healthz"));
        await HttpAssert.Ok(await http.GetAsync("readyz"));

        await held.GetStream().WriteAsync(System.Text.Encoding.UTF8.GetBytes(rest));
        var answer = await new StreamReader(held.GetStream()).ReadToEndAsync();
        held.Dispose();
        Assert.StartsWith("HTTP/1.1 200", answer);
        Assert.Contains("\"index\"", answer);
        var info = await HttpAssert.Ok(await http.GetAsync("info"));
        Assert.Equal(1, info.GetProperty("max_concurrent_requests").GetInt32());
    }
}
