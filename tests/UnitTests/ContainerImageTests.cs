using System.Text.Json;
using System.Text.RegularExpressions;

namespace RerankCluster.UnitTests;

/// <summary>
/// What each image in deploy/k8s/docker ships, read from its Dockerfile without building it: which programs it
/// publishes, where they land, and whether its base image carries the shared frameworks they need.
/// </summary>
public sealed partial class ContainerImageTests
{
    /// <summary>The project each image publishes: a server image carries its server only, the operator CLI has its own image.</summary>
    public static TheoryData<string, string> Images => new()
    {
        { "silo", "Silo" },
        { "silo-gpu", "Silo" },
        { "gateway", "Gateway" },
        { "tools", "Cli" },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void An_image_publishes_only_its_own_program_and_starts_it(string image, string project)
    {
        var dockerfile = Dockerfile(image);
        Assert.Equal([project], Publishes(dockerfile).Select(p => p.Project));
        var entrypoint = EntrypointProgram().Match(dockerfile);
        Assert.True(entrypoint.Success, $"Dockerfile.{image} has no ENTRYPOINT that starts a program under /app.");
        Assert.Contains(entrypoint.Groups["path"].Value, Programs(image));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void A_framework_dependent_image_has_every_shared_framework_its_program_needs(string image, string project)
    {
        var dockerfile = Dockerfile(image);
        if (Publishes(dockerfile).Single().SelfContained)
        {
            return;
        }

        // What the official .NET images hold: runtime has the base framework, aspnet adds ASP.NET Core.
        var runtime = RuntimeStage().Match(dockerfile);
        Assert.True(runtime.Success, $"Dockerfile.{image} has no 'FROM mcr.microsoft.com/dotnet/… AS runtime' stage.");
        var provided = runtime.Groups["kind"].Value == "aspnet" ? ["Microsoft.NETCore.App", "Microsoft.AspNetCore.App"] : new[] { "Microsoft.NETCore.App" };

        // The program's own runtimeconfig, built beside these tests: the frameworks the host refuses to start without.
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, $"RerankCluster.{project}.runtimeconfig.json")));
        var needed = config.RootElement.GetProperty("runtimeOptions").GetProperty("frameworks").EnumerateArray()
            .Select(f => f.GetProperty("name").GetString()!);
        Assert.All(needed, framework => Assert.Contains(framework, provided));
    }

    /// <summary>The paths of the programs an image holds (the .dll, and the apphost of a self-contained publish).</summary>
    internal static IReadOnlyList<string> Programs(string image)
    {
        var dockerfile = Dockerfile(image);
        var copies = CopyFromBuild().Matches(dockerfile).Select(m => (From: m.Groups["from"].Value, To: m.Groups["to"].Value.TrimEnd('/'))).ToList();
        return Publishes(dockerfile)
            .SelectMany(publish => copies.Where(c => publish.Output.StartsWith(c.From, StringComparison.Ordinal))
                .Select(c => c.To + publish.Output[c.From.Length..])
                .SelectMany(directory => publish.SelfContained
                    ? new[] { $"{directory}/RerankCluster.{publish.Project}.dll", $"{directory}/RerankCluster.{publish.Project}" }
                    : [$"{directory}/RerankCluster.{publish.Project}.dll"]))
            .ToList();
    }

    internal static bool Exists(string image) => File.Exists(DockerfilePath(image));

    private static string DockerfilePath(string image) =>
        Path.Combine(KubernetesManifestTests.RepositoryRoot(), "deploy", "k8s", "docker", $"Dockerfile.{image}");

    private static string Dockerfile(string image) => File.ReadAllText(DockerfilePath(image));

    private static IEnumerable<(string Project, string Output, bool SelfContained)> Publishes(string dockerfile) =>
        PublishCommand().Matches(dockerfile).Select(m => (m.Groups["project"].Value, m.Groups["out"].Value, m.Groups["options"].Value.Contains("--self-contained")));

    [GeneratedRegex(@"dotnet publish src/(?<project>\w+)/\k<project>\.csproj(?<options>[^\n\\&]*?) -o (?<out>/\S+)")]
    private static partial Regex PublishCommand();

    [GeneratedRegex(@"^COPY --from=build (?<from>/\S+) (?<to>/\S+)$", RegexOptions.Multiline)]
    private static partial Regex CopyFromBuild();

    [GeneratedRegex(@"^ENTRYPOINT \[[^\]]*?""(?<path>/app/[^""]+)""", RegexOptions.Multiline)]
    private static partial Regex EntrypointProgram();

    [GeneratedRegex(@"^FROM mcr\.microsoft\.com/dotnet/(?<kind>runtime|aspnet):\S+ AS runtime$", RegexOptions.Multiline)]
    private static partial Regex RuntimeStage();
}
