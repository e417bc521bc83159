namespace RerankCluster.ClusterTests;

/// <summary>
/// The .NET client as a user gets it: `dotnet pack` of src/Client into a local feed, a fresh console app outside
/// the repository that installs it from that feed alone (nuget.config clears every other source), and a rerank
/// and a search through it against an embedded gateway.
/// </summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class NuGetClientTests(EmbeddedGateway gateway)
{
    private static readonly TimeSpan DotnetTimeout = TimeSpan.FromMinutes(5);

    private const string Program = """
        using RerankCluster.Client;
        using RerankCluster.Client.Contracts;
        using System.Text.Json;

        var client = new RerankClient(new HttpClient { BaseAddress = new Uri(args[0]) });
        var reranked = await client.RerankAsync(new CohereRerankBody(null, "what is the capital of France",
            [JsonSerializer.SerializeToElement("Sourdough bread rises."), JsonSerializer.SerializeToElement("Paris is the capital of France.")],
            1, false, null, null, null));
        Console.WriteLine($"top index: {reranked.Results[0].Index}");
        await client.CreateIndexAsync("nuget-client");
        await client.UpsertAsync("nuget-client", [new DocumentBody("paris", "Paris is the capital of France.", null)]);
        var found = await client.SearchAsync("nuget-client", new SearchBody("capital of France", 1, 1, false, null));
        Console.WriteLine($"search: {found.Results[0].Id}");
        """;

    [Fact]
    public async Task The_packed_client_installs_from_a_feed_and_reranks_and_searches_against_a_gateway()
    {
        var work = Directory.CreateTempSubdirectory("rerank-nuget-").FullName;
        try
        {
            var environment = new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };
            var feed = Path.Combine(work, "feed");
            var root = ChildProcess.RepositoryRoot();
            var pack = await Dotnet(["pack", Path.Combine(root, "src", "Client", "Client.csproj"), "-c", "Release", "-o", feed], root, environment);
            Assert.True(pack.ExitCode == 0, $"dotnet pack failed:\n{pack.Output}");
            var package = Assert.Single(Directory.GetFiles(feed, "RerankCluster.Client.*.nupkg"));
            var version = Path.GetFileNameWithoutExtension(package)["RerankCluster.Client.".Length..];

            var app = Directory.CreateDirectory(Path.Combine(work, "app")).FullName;
            await File.WriteAllTextAsync(Path.Combine(app, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><Nullable>enable</Nullable></PropertyGroup>
                  <ItemGroup><PackageReference Include="RerankCluster.Client" Version="{version}" /></ItemGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
                <configuration><packageSources><clear /><add key="local" value="{feed}" /></packageSources></configuration>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), Program);

            var run = await Dotnet(["run", "--", gateway.Http.BaseAddress!.ToString()], app, environment);

            Assert.True(run.ExitCode == 0, $"the app failed:\n{run.Output}");
            Assert.Contains("top index: 1", run.Output);
            Assert.Contains("search: paris", run.Output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static Task<(int ExitCode, string Output)> Dotnet(string[] arguments, string directory, IReadOnlyDictionary<string, string> environment) =>
        ChildProcess.RunAsync("dotnet", arguments, directory, environment, DotnetTimeout, "the .NET SDK runs these tests, so it should be on PATH.");
}
