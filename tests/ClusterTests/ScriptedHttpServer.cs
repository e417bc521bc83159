using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace RerankCluster.ClusterTests;

/// <summary>
/// A Kestrel server on a free loopback port that answers each request with the next scripted answer (the last one
/// repeats) and records when each request arrived, on its own clock: for testing what a client does with answers
/// the real gateway gives only under load.
/// </summary>
public sealed class ScriptedHttpServer : IAsyncDisposable
{
    public sealed record Answer(int Status, string Body, string? RetryAfter = null);

    public sealed record Arrival(string Path, TimeSpan At);

    private readonly WebApplication _app;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<Arrival> _arrivals = new();

    private ScriptedHttpServer(Answer[] script)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        var next = -1;
        _app.Run(async http =>
        {
            _arrivals.Enqueue(new Arrival(http.Request.Path, _clock.Elapsed));
            var answer = script[Math.Min(Interlocked.Increment(ref next), script.Length - 1)];
            http.Response.StatusCode = answer.Status;
            if (answer.RetryAfter is not null)
            {
                http.Response.Headers.RetryAfter = answer.RetryAfter;
            }

            http.Response.ContentType = answer.Status < 400 ? "application/json" : "application/problem+json";
            await http.Response.WriteAsync(answer.Body);
        });
    }

    public Uri BaseAddress => new(_app.Urls.Single().TrimEnd('/') + "/");

    public IReadOnlyList<Arrival> Arrivals => _arrivals.ToArray();

    public static async Task<ScriptedHttpServer> StartAsync(params Answer[] script)
    {
        var server = new ScriptedHttpServer(script);
        await server._app.StartAsync();
        return server;
    }

    public static Answer Problem(int status, string detail, string? retryAfter = null) =>
        new(status, System.Text.Json.JsonSerializer.Serialize(new { status, title = "Refused", detail, message = detail }), retryAfter);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
