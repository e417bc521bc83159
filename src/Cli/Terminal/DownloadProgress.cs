using RerankCluster.Inference.Models;

namespace RerankCluster.Cli.Terminal;

/// <summary>One progress bar per downloaded file, fed synchronously by the downloader.</summary>
public sealed class DownloadProgress : IProgress<HubModelDownloader.Progress>
{
    private readonly Dictionary<string, (ProgressBar Bar, long ReportedKiB)> _bars = new();

    public void Report(HubModelDownloader.Progress value)
    {
        if (!_bars.TryGetValue(value.File, out var entry))
        {
            entry = (new ProgressBar(value.File, Math.Max(1, (value.Total ?? 1) / 1024), "KiB"), 0);
        }

        var doneKiB = value.Done / 1024;
        entry.Bar.Advance(doneKiB - entry.ReportedKiB);
        _bars[value.File] = (entry.Bar, doneKiB);
    }
}
