using System.CommandLine;
using System.Text.Json;
using RerankCluster.Cli.Corpus;
using RerankCluster.Client;
using RerankCluster.Cli.Hosting;
using RerankCluster.Cli.Scale;

namespace RerankCluster.Cli.Commands;

/// <summary>`rerank scale`: the cluster's scaling on simulated accelerators (a benchmark, not a test).</summary>
public static class ScaleCommand
{
    public static Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "Length of each measurement.", DefaultValueFactory = _ => 20 };
        var speed = new Option<double>("--tokens-per-second")
        {
            Description = "Simulated cross-encoder speed of one silo (padded tokens/s).", DefaultValueFactory = _ => 20_000,
        };
        var embedSpeed = new Option<double>("--embed-tokens-per-second")
        {
            Description = "Simulated bi-encoder speed of one silo (padded tokens/s).", DefaultValueFactory = _ => 5_000,
        };
        var documents = new Option<int>("--documents") { Description = "Documents in each index.", DefaultValueFactory = _ => 1000 };
        var output = new Option<string>("--out") { Description = "Folder for scale.json.", DefaultValueFactory = _ => "out/scale" };
        var command = new Command("scale",
            "Scaling on SIMULATED accelerators: redis-server + 1, 2, 4, 8 silo processes + gateway on loopback under open- and closed-loop load; writes scale.json.")
        {
            seconds, speed, embedSpeed, documents, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            var root = RepositoryRoot.Find();
            await DotnetCli.BuildAsync(root, ct, "src/Silo/Silo.csproj", "src/Gateway/Gateway.csproj");
            var benchmark = new ScaleBenchmark(new ScaleBenchmark.Settings(TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(speed),
                parse.GetValue(embedSpeed), parse.GetValue(documents), "Release"), Console.Error);
            var report = await benchmark.RunAsync(ct);
            var folder = Path.GetFullPath(parse.GetValue(output)!);
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, "scale.json"),
                JsonSerializer.Serialize(report, new JsonSerializerOptions(RerankJson.Options) { WriteIndented = true }), ct);
            report.Print(Console.Out);
            Console.WriteLine($"scale.json: {Path.Combine(folder, "scale.json")}");
            return 0;
        });
        return command;
    }
}
