using System.Diagnostics;

namespace RerankCluster.ClusterTests;

/// <summary>Runs a program the way a user would (npm, node, dotnet) and returns its exit code and output, bounded in time.</summary>
public static class ChildProcess
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, string directory,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout, string installHint)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception missing)
        {
            throw new InvalidOperationException($"{program} is not installed ({missing.Message}): {installHint}");
        }

        using (process)
        using (var deadline = new CancellationTokenSource(timeout))
        {
            var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
            var error = process.StandardError.ReadToEndAsync(deadline.Token);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout}.");
            }

            return (process.ExitCode, await output + await error);
        }
    }

    /// <summary>The checkout the tests were built from (ClusterTests.csproj stamps it into the assembly).</summary>
    public static string RepositoryRoot() =>
        typeof(ChildProcess).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;
}
