using System.Net.Http.Json;
using RerankCluster.Cli.Load;

namespace RerankCluster.ClusterTests;

[Collection(EmbeddedGatewayCollection.Name)]
public sealed class LoadTesterTests(EmbeddedGateway gateway)
{
    [Fact]
    public async Task Closed_and_open_loop_runs_are_bounded_and_summarised()
    {
        await HttpAssert.Ok(await gateway.Http.PutAsJsonAsync("v1/indexes/load", new { shards = 2 }));
        await HttpAssert.Ok(await gateway.Http.PostAsJsonAsync("v1/indexes/load/documents", new
        {
            documents = new[] { new { id = "a", text = "Rivers carry water to the sea." }, new { id = "b", text = "Mountains are old." } },
        }));
        var mix = LoadRequest.Mix(["where do rivers go", "how old are mountains"], ["passage one", "passage two", "passage three"], "load", 0.5, 3);
        var runner = new LoadRunner(gateway.Http, null, mix, TextWriter.Null);

        var closed = await runner.ClosedLoop(clients: 2, TimeSpan.FromMinutes(2), maxRequests: 6, CancellationToken.None);
        var summary = LoadSummary.Of(closed, "closed loop", 2);
        Assert.Equal(6, summary.Requests);
        Assert.True(summary.Statuses.GetValueOrDefault("200") == 6, string.Join(", ", summary.Statuses.Select(x => $"{x.Key}: {x.Value}")));
        Assert.Equal(0, summary.Errors);
        Assert.Equal(2, summary.Kinds.Count);
        Assert.True(summary.ServerTotalMs.Count == 6 && summary.ServerTotalMs.P50 > 0);
        Assert.True(summary.Latency.P99 >= summary.Latency.P50);

        // Open loop: stops at its duration even though the request budget is larger.
        var open = await runner.OpenLoop(rate: 4, TimeSpan.FromSeconds(1.5), maxRequests: 1000, CancellationToken.None);
        Assert.InRange(open.Samples.Count, 5, 7);
        Assert.All(open.Samples.Zip(open.Samples.Skip(1)), pair => Assert.True(pair.Second.StartSeconds >= pair.First.StartSeconds));

        var svg = LatencyPlot.Render(open.Samples, "test");
        Assert.StartsWith("<svg", svg);
        Assert.Equal(open.Samples.Count, svg.Split("<circle").Length - 1);
    }

    [Fact]
    public async Task A_closed_loop_client_that_was_refused_pauses_before_its_next_request_when_asked_to()
    {
        await using var server = await ScriptedHttpServer.StartAsync(ScriptedHttpServer.Problem(429, "past the admission budget", "1"));
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var searches = LoadRequest.Mix(["q"], ["p"], "load", 0, 1);
        var pause = TimeSpan.FromMilliseconds(150);

        var paused = await new LoadRunner(http, null, searches, TextWriter.Null).ClosedLoop(1, TimeSpan.FromMinutes(1), 4, CancellationToken.None, pause);

        Assert.All(paused.Samples, s => Assert.Equal(429, s.Status));
        var arrivals = server.Arrivals.Select(a => a.At).ToList();
        Assert.Equal(4, arrivals.Count);
        // Each request leaves only after the pause that followed the refusal before it (less a timer tick: a delay's
        // timer may fire a millisecond early against the server's clock; without the pause the gap is a round trip).
        Assert.All(arrivals.Zip(arrivals.Skip(1)), gap => Assert.True(gap.Second - gap.First >= pause * 0.9, $"{(gap.Second - gap.First).TotalMilliseconds} ms"));
    }
}
