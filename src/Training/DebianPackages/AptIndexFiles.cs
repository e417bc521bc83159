using System.Diagnostics;

namespace RerankCluster.Training.DebianPackages;

/// <summary>
/// This machine's own package index, read through apt's tools: `apt-cache dumpavail` for the Packages
/// stanzas and the English Translation files (decompressed by apt-helper) for the long descriptions.
/// </summary>
public static class AptIndexFiles
{
    public const string UpdateHint = "run `apt-get update -o Acquire::Languages=en` first (Docker images of Debian switch translations off)";

    public static IReadOnlyList<DebianPackage> LoadSystemIndex()
    {
        var translations = Run("apt-get", ["indextargets", "-o", "Acquire::Languages=en", "--format", "$(FILENAME)", "Identifier: Translations"])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(File.Exists)
            .ToList();
        if (translations.Count == 0)
        {
            throw new InvalidOperationException($"apt has no English package descriptions on this machine: {UpdateHint}.");
        }

        var readers = new List<TextReader> { new StringReader(Run("apt-cache", ["dumpavail"])) };
        readers.AddRange(translations.Select(file => new StringReader(Run("/usr/lib/apt/apt-helper", ["cat-file", file]))));
        return DebianPackageIndex.Load(readers);
    }

    private static string Run(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"'{program}' is not available ({ex.Message}): reading the system package index needs apt; pass index files with --input instead.", ex);
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"'{program} {string.Join(' ', arguments)}' failed ({process.ExitCode}): {stderr.Result.Trim()}");
            }

            return output;
        }
    }
}
