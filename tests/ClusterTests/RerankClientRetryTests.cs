using System.Net;
using RerankCluster.Client;
using RerankCluster.Client.Contracts;
using RerankCluster.Client.Errors;
using RerankCluster.Client.Retries;

namespace RerankCluster.ClusterTests;

/// <summary>The .NET client against a scripted server: what it does with 429 and 503, Retry-After, errors and cancellation.</summary>
public sealed class RerankClientRetryTests
{
    private const string Ranked = """
        {"id": "r1", "model": "m", "results": [{"index": 1, "relevance_score": 0.9}, {"index": 0, "relevance_score": 0.1}],
         "usage": {"total_tokens": 9, "prompt_tokens": 9}, "meta": {"api_version": {"version": "1"}, "billed_units": {"search_units": 1}}}
        """;

    private static readonly CohereRerankBody Request = new(null, "capital of France", [Text("Bread."), Text("Paris.")], null, null, null, null, null);

    private static System.Text.Json.JsonElement Text(string text) => System.Text.Json.JsonSerializer.SerializeToElement(text);

    private static RerankClient Client(ScriptedHttpServer server, RetryPolicy? retry = null, TimeProvider? time = null) =>
        new(new HttpClient { BaseAddress = server.BaseAddress }, retry, time);

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task A_refusal_is_sent_again_after_the_Retry_After_the_server_named(int status)
    {
        await using var server = await ScriptedHttpServer.StartAsync(
            ScriptedHttpServer.Problem(status, "busy", retryAfter: "7"), ScriptedHttpServer.Problem(status, "busy", retryAfter: "3"),
            new ScriptedHttpServer.Answer(200, Ranked));
        var time = new RecordingTimeProvider();

        var response = await Client(server, time: time).RerankAsync(Request);

        Assert.Equal([1, 0], response.Results.Select(r => r.Index));
        Assert.Equal(3, server.Arrivals.Count);
        Assert.All(server.Arrivals, a => Assert.Equal("/v1/rerank", a.Path));
        Assert.Equal([TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(3)], time.Waits);
    }

    [Fact]
    public async Task The_second_send_reaches_the_server_no_sooner_than_the_Retry_After_of_the_first()
    {
        await using var server = await ScriptedHttpServer.StartAsync(
            ScriptedHttpServer.Problem(429, "over the rate", retryAfter: "1"), new ScriptedHttpServer.Answer(200, Ranked));

        await Client(server).RerankAsync(Request);

        var arrivals = server.Arrivals;
        Assert.Equal(2, arrivals.Count);
        // Less the timer's granularity: a one-second delay may end a millisecond early by the server's stopwatch.
        Assert.True(arrivals[1].At - arrivals[0].At >= TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(20),
            $"sent again {(arrivals[1].At - arrivals[0].At).TotalMilliseconds} ms after a 429 that said Retry-After: 1");
    }

    [Fact]
    public async Task Retries_stop_at_MaxAttempts_and_the_last_refusal_surfaces_with_the_servers_message()
    {
        await using var server = await ScriptedHttpServer.StartAsync(ScriptedHttpServer.Problem(429, "This tenant is over its rate.", retryAfter: "2"));
        var time = new RecordingTimeProvider();

        var refused = await Assert.ThrowsAsync<RerankOverloadedException>(() =>
            Client(server, new RetryPolicy { MaxAttempts = 3 }, time).SearchAsync("docs", new SearchBody("q", null, null, null, null)));

        Assert.Equal(3, server.Arrivals.Count);
        Assert.Equal(2, time.Waits.Count);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal("This tenant is over its rate.", refused.Detail);
        Assert.Contains("This tenant is over its rate.", refused.Message);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.RetryAfter);
    }

    [Fact]
    public async Task A_Retry_After_past_the_policys_bound_is_not_waited_for()
    {
        await using var server = await ScriptedHttpServer.StartAsync(ScriptedHttpServer.Problem(503, "Model unavailable.", retryAfter: "120"));
        var time = new RecordingTimeProvider();

        await Assert.ThrowsAsync<RerankOverloadedException>(() =>
            Client(server, new RetryPolicy { MaxRetryAfter = TimeSpan.FromSeconds(60) }, time).RerankAsync(Request));

        Assert.Single(server.Arrivals);
        Assert.Empty(time.Waits);
    }

    [Fact]
    public async Task A_400_is_not_retried_and_carries_the_servers_message()
    {
        await using var server = await ScriptedHttpServer.StartAsync(ScriptedHttpServer.Problem(400, "top_n must be at least 1 (got 0)."));

        var invalid = await Assert.ThrowsAsync<RerankInvalidRequestException>(() => Client(server, time: new RecordingTimeProvider()).RerankAsync(Request));

        Assert.Single(server.Arrivals);
        Assert.Equal("top_n must be at least 1 (got 0).", invalid.Detail);
    }

    [Fact]
    public async Task Cancelling_while_the_client_waits_out_a_Retry_After_ends_the_call_without_sending_again()
    {
        await using var server = await ScriptedHttpServer.StartAsync(ScriptedHttpServer.Problem(429, "busy", retryAfter: "30"));
        using var cancel = new CancellationTokenSource();

        var call = Client(server).RerankAsync(Request, cancel.Token);
        while (server.Arrivals.Count == 0)
        {
            await Task.Delay(10);
        }

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(server.Arrivals);
    }
}
