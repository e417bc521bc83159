using System.Diagnostics;

namespace RerankCluster.UnitTests;

/// <summary>Runs a program the tests compare against (kubectl, SentencePiece's reference tools) and collects what it wrote.</summary>
internal static class ExternalProgram
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(string program, IEnumerable<string> arguments, string? input = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} could not be started.");
        process.StandardInput.Write(input ?? "");
        process.StandardInput.Close();
        // Both streams at once: a program that fills one pipe while the other is read would never finish.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new Result(process.ExitCode, output.Result, error.Result);
    }
}
