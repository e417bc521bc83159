using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace RerankCluster.Cli.Load;

/// <summary>
/// Drives the gateway from outside: open loop (a constant arrival rate, whatever the latency) or
/// closed loop (N clients each waiting for its answer), for a bounded time and request count.
/// </summary>
public sealed class LoadRunner(HttpClient http, string? apiKey, Func<int, LoadRequest> requests, TextWriter progress)
{
    // Redrawn in place on a terminal; one line every few seconds into a log.
    private readonly bool _interactive = progress == Console.Error && !Console.IsErrorRedirected;

    /// <summary>In-flight requests an open-loop run allows before it counts new arrivals as dropped.</summary>
    public const int MaxInFlight = 2048;

    public sealed record Result(IReadOnlyList<LoadSample> Samples, TimeSpan Wall, int Dropped, double OfferedRate);

    public Task<Result> OpenLoop(double rate, TimeSpan duration, int maxRequests, CancellationToken ct) =>
        Run(rate, clients: 0, duration, maxRequests, TimeSpan.Zero, ct);

    /// <param name="refusedPause">
    /// How long a client that was refused (429) waits before its next request, as a client that heeds
    /// back-pressure does; zero: at once, as hey or wrk do, so a saturated cluster spends its CPU refusing.
    /// </param>
    public Task<Result> ClosedLoop(int clients, TimeSpan duration, int maxRequests, CancellationToken ct, TimeSpan refusedPause = default) =>
        Run(rate: 0, clients, duration, maxRequests, refusedPause, ct);

    private async Task<Result> Run(double rate, int clients, TimeSpan duration, int maxRequests, TimeSpan refusedPause, CancellationToken ct)
    {
        var samples = new ConcurrentBag<LoadSample>();
        var clock = Stopwatch.StartNew();
        var dropped = 0;
        var inFlight = 0;
        var every = _interactive ? 1000 : 5000;
        using var reporter = new Timer(_ => Report(samples, clock.Elapsed, Volatile.Read(ref inFlight)), null, every, every);

        if (clients > 0)
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
            {
                int i;
                while (clock.Elapsed < duration && (i = Interlocked.Increment(ref next)) < maxRequests && !ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref inFlight);
                    var sample = await Send(requests(i), clock.Elapsed.TotalSeconds, clock, ct);
                    samples.Add(sample);
                    Interlocked.Decrement(ref inFlight);
                    if (sample.Status == 429 && refusedPause > TimeSpan.Zero)
                    {
                        await Task.Delay(refusedPause, ct);
                    }
                }
            }, ct)));
        }
        else
        {
            var pending = new List<Task>();
            for (var i = 0; i < maxRequests && !ct.IsCancellationRequested; i++)
            {
                var due = TimeSpan.FromSeconds(i / rate);
                if (due >= duration)
                {
                    break;
                }

                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, ct);
                }

                if (Volatile.Read(ref inFlight) >= MaxInFlight)
                {
                    dropped++;
                    continue;
                }

                var request = requests(i);
                Interlocked.Increment(ref inFlight);
                // Latency counts from when the request was due, so a slow client never hides queueing.
                pending.Add(Task.Run(async () =>
                {
                    samples.Add(await Send(request, due.TotalSeconds, clock, ct));
                    Interlocked.Decrement(ref inFlight);
                }, ct));
            }

            await Task.WhenAll(pending);
        }

        Report(samples, clock.Elapsed, 0);
        if (_interactive)
        {
            progress.WriteLine();
        }
        return new Result(samples.OrderBy(s => s.StartSeconds).ToList(), clock.Elapsed, dropped, rate);
    }

    private async Task<LoadSample> Send(LoadRequest request, double dueSeconds, Stopwatch clock, CancellationToken ct)
    {
        int status;
        double? total = null, inference = null, queue = null;
        string? error = null;
        try
        {
            using var message = request.ToHttp(apiKey);
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct);
            status = (int)response.StatusCode;
            total = Header(response, "x-total-time");
            inference = Header(response, "x-inference-time");
            queue = Header(response, "x-queue-time");
            if (!response.IsSuccessStatusCode)
            {
                error = Detail(await response.Content.ReadAsStringAsync(ct));
            }
        }
        catch (HttpRequestException ex)
        {
            status = 0;
            error = ex.Message;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            status = 408;
            error = "client timeout";
        }

        return new LoadSample(request.Kind, dueSeconds, (clock.Elapsed.TotalSeconds - dueSeconds) * 1000, status, total, inference, queue, request.Tag, error);
    }

    /// <summary>A problem's detail (or the body's start), cut at 120 characters: enough to tell failures apart.</summary>
    private static string Detail(string body)
    {
        var detail = body;
        try
        {
            using var problem = System.Text.Json.JsonDocument.Parse(body);
            if (problem.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object &&
                problem.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                detail = d.GetString()!;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON (a proxy's page, say): the body's start is the detail.
        }

        return detail.Length <= 120 ? detail : detail[..120] + "…";
    }

    private static double? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) &&
        double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    private void Report(IEnumerable<LoadSample> samples, TimeSpan elapsed, int inFlight)
    {
        var done = samples.ToList();
        var recent = done.Where(s => s.StartSeconds * 1000 + s.LatencyMs >= (elapsed.TotalSeconds - 5) * 1000).Select(s => s.LatencyMs).ToList();
        var p99 = Evaluation.LatencySummary.Of(recent).P99;
        var errors = done.Count(s => s.Status is < 200 or >= 300);
        progress.Write(_interactive ? "\r" : "");
        progress.Write(string.Create(CultureInfo.InvariantCulture,
            $"  {elapsed.TotalSeconds,5:F0} s  done {done.Count,6}  in flight {inFlight,4}  errors {errors,5}  " +
            $"{done.Count / Math.Max(0.001, elapsed.TotalSeconds),6:F1} req/s  p99 (last 5 s) {p99,7:F0} ms   "));
        if (!_interactive)
        {
            progress.WriteLine();
        }
    }
}
