using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace RerankCluster.ClusterTests.Browser;

/// <summary>
/// Debian's chromium, headless, driven over the Chrome DevTools Protocol on its remote-debugging
/// websocket: navigate, run script in the page (awaiting its promise), resize to a phone, take a
/// screenshot, and collect the page's uncaught script errors.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _awaitedEvents = new();
    private readonly ConcurrentQueue<string> _scriptErrors = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task _reading = Task.CompletedTask;
    private int _nextId;

    private HeadlessChromium(Process process, string profile, ClientWebSocket socket)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
    }

    /// <summary>Uncaught exceptions and console errors of the page so far.</summary>
    public IReadOnlyCollection<string> ScriptErrors => _scriptErrors;

    public static async Task<HeadlessChromium> StartAsync(CancellationToken ct)
    {
        var executable = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("chromium is not installed: apt-get install chromium (tests/run installs it when missing).");
        var profile = Directory.CreateTempSubdirectory("rerank-chromium-").FullName;
        var start = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        // --no-sandbox: test machines run as root, where chromium's sandbox refuses to start.
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                     "--remote-debugging-port=0", $"--user-data-dir={profile}", "--window-size=1280,1000", "about:blank",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                listening.TrySetException(new InvalidOperationException($"chromium exited before it listened: {string.Join('\n', output)}"));
                return;
            }

            output.Enqueue(line.Data);
            // Port 0: chromium picks a free port and says which on stderr.
            const string prefix = "DevTools listening on ";
            if (line.Data.StartsWith(prefix, StringComparison.Ordinal))
            {
                listening.TrySetResult(new Uri(line.Data[prefix.Length..].Trim()));
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            var browser = await listening.Task.WaitAsync(ct);
            using var http = new HttpClient();
            var targets = await http.GetFromJsonAsync<JsonElement>($"http://{browser.Authority}/json/list", ct);
            var page = targets.EnumerateArray().First(t => t.GetProperty("type").GetString() == "page");
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(page.GetProperty("webSocketDebuggerUrl").GetString()!), ct);
            var chromium = new HeadlessChromium(process, profile, socket);
            chromium._reading = chromium.ReadAsync();
            await chromium.Send("Runtime.enable", null, ct);
            await chromium.Send("Page.enable", null, ct);
            return chromium;
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            Directory.Delete(profile, recursive: true);
            throw;
        }
    }

    /// <summary>Opens the address and returns once the page's load event fired.</summary>
    public async Task NavigateAsync(Uri address, CancellationToken ct)
    {
        var loaded = _awaitedEvents.GetOrAdd("Page.loadEventFired", _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var navigation = await Send("Page.navigate", new { url = address.ToString() }, ct);
        if (navigation.TryGetProperty("errorText", out var error))
        {
            throw new InvalidOperationException($"navigating to {address} failed: {error.GetString()}");
        }

        await loaded.Task.WaitAsync(ct);
    }

    /// <summary>Runs a script expression in the page, awaits it if it is a promise, and returns its value as JSON.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression, CancellationToken ct)
    {
        var result = await Send("Runtime.evaluate", new { expression, awaitPromise = true, returnByValue = true }, ct);
        if (result.TryGetProperty("exceptionDetails", out var exception))
        {
            throw new InvalidOperationException($"script failed: {exception}");
        }

        return result.GetProperty("result").TryGetProperty("value", out var value) ? value.Clone() : default;
    }

    /// <summary>Returns once the script condition holds in the page (checked every few milliseconds in the page itself).</summary>
    public Task WaitForAsync(string condition, CancellationToken ct) => EvaluateAsync(
        $"new Promise(resolve => {{ const check = () => ({condition}) ? resolve(true) : setTimeout(check, 20); check(); }})", ct);

    /// <summary>Lays the page out as on a screen of this many CSS pixels (a phone: mobile true).</summary>
    public Task ResizeAsync(int width, int height, bool mobile, CancellationToken ct) =>
        Send("Emulation.setDeviceMetricsOverride", new { width, height, deviceScaleFactor = 1, mobile }, ct);

    /// <summary>A PNG of the whole page, not only what fits on the screen.</summary>
    public async Task ScreenshotAsync(string path, CancellationToken ct)
    {
        var shot = await Send("Page.captureScreenshot", new { format = "png", captureBeyondViewport = true }, ct);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(shot.GetProperty("data").GetString()!), ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _socket.Abort();
        await _reading;
        _socket.Dispose();
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_profile, recursive: true);
        _stopping.Dispose();
        _sending.Dispose();
    }

    private async Task<JsonElement> Send(string method, object? parameters, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var message = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new { } });
        await _sending.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sending.Release();
        }

        return await answer.Task.WaitAsync(ct);
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var frame = await _socket.ReceiveAsync(buffer, _stopping.Token);
                if (frame.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, frame.Count);
                if (!frame.EndOfMessage)
                {
                    continue;
                }

                using (var json = JsonDocument.Parse(message.ToArray()))
                {
                    Dispatch(json.RootElement);
                }

                message.SetLength(0);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // Disposed, or chromium went away: the calls still waiting fail below.
        }

        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new InvalidOperationException($"the DevTools connection closed: {string.Join('\n', _scriptErrors)}"));
        }
    }

    private void Dispatch(JsonElement message)
    {
        if (message.TryGetProperty("id", out var id))
        {
            if (_pending.TryRemove(id.GetInt32(), out var answer))
            {
                if (message.TryGetProperty("error", out var error))
                {
                    answer.TrySetException(new InvalidOperationException($"DevTools refused: {error}"));
                }
                else
                {
                    answer.TrySetResult(message.GetProperty("result").Clone());
                }
            }

            return;
        }

        var method = message.GetProperty("method").GetString()!;
        if (method == "Runtime.exceptionThrown")
        {
            _scriptErrors.Enqueue(message.GetProperty("params").GetProperty("exceptionDetails").ToString());
        }
        else if (method == "Runtime.consoleAPICalled" && message.GetProperty("params").GetProperty("type").GetString() == "error")
        {
            _scriptErrors.Enqueue(message.GetProperty("params").GetProperty("args").ToString());
        }

        if (_awaitedEvents.TryRemove(method, out var awaited))
        {
            awaited.TrySetResult();
        }
    }
}
