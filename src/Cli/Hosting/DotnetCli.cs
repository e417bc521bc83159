using System.Diagnostics;

namespace RerankCluster.Cli.Hosting;

/// <summary>The .NET CLI run in the checkout, its output going to this console: what the multi-process commands build and test with.</summary>
public static class DotnetCli
{
    /// <summary>Builds the projects in Release, the configuration <see cref="LocalCluster"/> runs.</summary>
    public static async Task BuildAsync(string root, CancellationToken ct, params string[] projects)
    {
        foreach (var project in projects)
        {
            await RunAsync(root, ["build", project, "-c", "Release", "-nologo", "-v", "quiet"], $"building {project} failed", ct);
        }
    }

    public static async Task RunAsync(string root, string[] arguments, string failure, CancellationToken ct, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(failure + " (see the output above).");
        }
    }
}
