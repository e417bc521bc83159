using System.Diagnostics;

namespace RerankCluster.Cli.Terminal;

/// <summary>
/// Progress of long work on stderr: a redrawn bar with rate and ETA on a terminal, a line every few
/// seconds when redirected to a file (so logs stay readable).
/// </summary>
public sealed class ProgressBar(string label, long total, string unit)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private TimeSpan? _lastDraw;
    private long _done;
    private long _drawn = -1;

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Advance(long amount)
    {
        _done += amount;
        var now = _clock.Elapsed;
        var every = _interactive ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(5);
        if (_done >= total || _lastDraw is null || now - _lastDraw >= every)
        {
            _lastDraw = now;
            Draw(now);
        }
    }

    public void Complete()
    {
        if (_drawn != _done)
        {
            Draw(_clock.Elapsed);
        }

        if (_interactive)
        {
            Console.Error.WriteLine();
        }
    }

    private void Draw(TimeSpan elapsed)
    {
        _drawn = _done;
        var rate = elapsed.TotalSeconds > 0 ? _done / elapsed.TotalSeconds : 0;
        var fraction = total > 0 ? Math.Min(1.0, (double)_done / total) : 0;
        var eta = rate > 0 && total > _done ? TimeSpan.FromSeconds((total - _done) / rate) : TimeSpan.Zero;
        const int width = 30;
        var filled = (int)(fraction * width);
        var line = $"{label} [{new string('#', filled)}{new string('.', width - filled)}] {_done}/{total} {unit} " +
                   $"{rate:F1} {unit}/s  elapsed {elapsed:mm\\:ss}  ETA {eta:mm\\:ss}";
        if (_interactive)
        {
            Console.Error.Write($"\r{line}");
        }
        else
        {
            Console.Error.WriteLine(line);
        }
    }
}
