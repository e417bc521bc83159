using System.Text.Json;

namespace RerankCluster.ClusterTests;

/// <summary>
/// Figures the reliability report (`rerank reliability`) collects from test runs: written only when
/// RERANK_REPORT_DIR names a folder, so ordinary test runs leave nothing behind.
/// </summary>
public static class ReportArtifacts
{
    private static readonly object Gate = new();

    private static string? Directory => Environment.GetEnvironmentVariable("RERANK_REPORT_DIR") is { Length: > 0 } d ? d : null;

    public static void AppendLine(string file, object record)
    {
        if (Directory is { } directory)
        {
            lock (Gate)
            {
                System.IO.Directory.CreateDirectory(directory);
                File.AppendAllText(Path.Combine(directory, file), JsonSerializer.Serialize(record) + "\n");
            }
        }
    }

    public static void Write(string file, object record)
    {
        if (Directory is { } directory)
        {
            System.IO.Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, file), JsonSerializer.Serialize(record));
        }
    }
}
