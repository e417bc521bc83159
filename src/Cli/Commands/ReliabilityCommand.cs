using System.CommandLine;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using RerankCluster.Cli.Corpus;
using RerankCluster.Client;
using RerankCluster.Cli.Hosting;
using RerankCluster.Cli.Reliability;
using RerankCluster.Client.Contracts;

namespace RerankCluster.Cli.Commands;

/// <summary>
/// `rerank reliability`: regenerates docs/reliability.md. Starts the multi-process cluster (three silos,
/// gateway, redis-server, caches off), runs load while killing a silo, freezing one (SIGSTOP), restarting
/// every silo in turn and killing Redis, audits after each that every acknowledged document is still
/// found, starts a replacement silo and shows it takes work, and runs the hostile-input and fuzz tests
/// for their figures.
/// </summary>
public static class ReliabilityCommand
{
    private const string AdminKey = "reliability-drill-admin-key-0001";

    /// <summary>Each simulated silo's cross-encoder speed in the drills (pair tokens per second).</summary>
    private const int SimulatedTokensPerSecond = 40_000;

    private static readonly string[] AllDrills = ["kill", "stop", "rolling", "redis"];

    public static Command Create()
    {
        var output = new Option<string?>("--out") { Description = "Report file to write (default docs/reliability.md, or docs/reliability-simulated.md with --simulated)." };
        var rate = new Option<double?>("--rate") { Description = "Requests per second during each drill (open loop; default 2, or 20 with --simulated)." };
        var simulated = new Option<bool>("--simulated")
        {
            Description = "Run the silos on SIMULATED accelerators (model calls wait for a modelled time), at a rate the real model would not sustain on this machine.",
        };
        var seconds = new Option<int>("--seconds") { Description = "Length of each drill.", DefaultValueFactory = _ => 60 };
        var skipTests = new Option<bool>("--skip-tests") { Description = "Leave out the hostile-input and fuzz tests (faster)." };
        var keepLogs = new Option<bool>("--keep-logs") { Description = "Keep the cluster's run directory (every process's log) and print where it is." };
        var drills = new Option<string[]>("--drills")
        {
            Description = $"Which drills to run, of {string.Join(", ", AllDrills)} (default: all).",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => AllDrills,
        };
        drills.AcceptOnlyFromAmong(AllDrills);
        var command = new Command("reliability", "Fault drills under load plus the hostile-input and fuzz figures, written to docs/reliability.md.")
        {
            output, rate, seconds, skipTests, simulated, drills, keepLogs,
        };
        command.SetAction(async (parse, ct) =>
        {
            var root = RepositoryRoot.Find();
            var isSimulated = parse.GetValue(simulated);
            var requestRate = parse.GetValue(rate) ?? (isSimulated ? 20 : 2);
            var report = new ReliabilityReport { Simulated = isSimulated };
            await RunDrillsAsync(report, requestRate, TimeSpan.FromSeconds(parse.GetValue(seconds)), isSimulated, parse.GetValue(drills)!.ToHashSet(), root,
                parse.GetValue(keepLogs), ct);
            if (!parse.GetValue(skipTests))
            {
                report.TestArtifacts = await RunTestsAsync(root, ct);
            }

            var path = Path.GetFullPath(parse.GetValue(output) ?? (isSimulated ? "docs/reliability-simulated.md" : "docs/reliability.md"));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, report.Render(isSimulated ? "./rerank reliability --simulated" : "./rerank reliability",
                $"Load: open loop, {requestRate} requests/s (80 % searches, 20 % single-document writes), {parse.GetValue(seconds)} s per drill, fault at 15 s." +
                (isSimulated ? $" Each simulated silo scores {SimulatedTokensPerSecond:N0} pair tokens/s." : "")), ct);
            Console.WriteLine($"report: {path}");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// A silo frozen for longer than membership's probes allow is declared dead, and stops itself once it thaws and
    /// learns so; an orchestrator would start it again, as this does before the next drill. Says which happened.
    /// </summary>
    private static async Task<string> AfterThawAsync(LocalCluster cluster, CancellationToken ct)
    {
        // Declared dead: the gateway counts two silos until the thawed one has stopped. Not: three at once.
        var clock = Stopwatch.StartNew();
        while (cluster.IsSiloRunning(2))
        {
            if (await cluster.ActiveSilosAsync(ct) == 3 || clock.Elapsed > TimeSpan.FromMinutes(1))
            {
                await cluster.WaitForActiveSilosAsync(3, ct);
                return "Silo 2 was not declared dead while frozen: it took its work back when it thawed.";
            }

            await Task.Delay(500, ct);
        }

        Console.WriteLine("silo 2 was declared dead while frozen and stopped itself on thawing; starting it again");
        await cluster.StartSiloAsync(2);
        await cluster.WaitForActiveSilosAsync(3, ct);
        return "Silo 2 was declared dead while frozen (membership probes, `Orleans:Membership`), so its shard replicas and " +
               "directory entries moved to the live silos during the freeze; on thawing it learned so and stopped itself, " +
               "and was started again (as Kubernetes restarts a pod) before the next drill.";
    }

    private static async Task RunDrillsAsync(ReliabilityReport report, double rate, TimeSpan duration, bool simulated, IReadOnlySet<string> selected,
        string root, bool keepLogs, CancellationToken ct)
    {
        await DotnetCli.BuildAsync(root, ct, "src/Silo/Silo.csproj", "src/Gateway/Gateway.csproj");
        Console.WriteLine($"starting redis-server, 3 silos and a gateway{(simulated ? " (SIMULATED accelerators)" : "")}…");
        // Caches off: every search of the drills reaches the shards and the rerank silos.
        var environment = new Dictionary<string, string> { ["Cache__Scores"] = "0", ["Cache__QueryEmbeddings"] = "0" };
        if (simulated)
        {
            environment["Simulation__Enabled"] = "true";
            // Twice the default accelerator: the two silos left when one fails then carry the drills' searches at about
            // half their capacity, as a cluster provisioned to lose a node would, so the drills measure failover, not saturation.
            environment["Simulation__CrossEncoderTokensPerSecond"] = $"{SimulatedTokensPerSecond}";
            environment["Limits__RequestsPerSecond"] = "100000";
            environment["Limits__Burst"] = "100000";
        }

        await using var cluster = await LocalCluster.StartAsync(3, AdminKey, "Release", ct, environment);
        cluster.KeepRunDirectory = keepLogs;
        using var client = await cluster.NewTenantAsync("drill", ct);
        var apiKey = client.DefaultRequestHeaders.Authorization!.Parameter!;
        (await client.PutAsJsonAsync("v1/indexes/drill", new { shards = 6 }, ct)).EnsureSuccessStatusCode();
        var queries = Load.LoadRequest.ReadQueries(Path.Combine(root, "samples", "sample-queries.txt"));
        var acknowledged = new List<string>();
        foreach (var batch in File.ReadLines(Path.Combine(root, "samples", "sample-corpus.jsonl"))
                     .Select((line, i) => new { id = $"seed-{i}", text = JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()! }).Chunk(50))
        {
            // Followed to the end if it becomes a job: acknowledged means stored.
            await new RerankClient(client).UpsertAsync("drill", batch.Select(d => new DocumentBody(d.id, d.text, null)).ToArray(), ct: ct);
            acknowledged.AddRange(batch.Select(d => d.id));
        }

        Console.WriteLine($"{acknowledged.Count} documents acknowledged");
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var settings = new FaultDrill.Settings(rate, duration, TimeSpan.FromSeconds(15));
        async Task Drill(string name, FaultDrill.Settings drill, Func<Task> fault)
        {
            var result = await FaultDrill.RunAsync(name, http, apiKey, "drill", queries, drill, fault, Console.Error, ct);
            acknowledged.AddRange(result.AcknowledgedIds);
            report.Faults.Add((result, await DocumentAudit.RunAsync(client, "drill", acknowledged, ct)));
        }

        // Silo numbers: the kill drill replaces silo 1 by a new silo 3.
        var live = new List<int> { 0, 1, 2 };
        if (selected.Contains("kill"))
        {
            Console.WriteLine("drill: SIGKILL silo 1 under load");
            await Drill("silo SIGKILL (1 of 3)", settings, () => cluster.KillSiloAsync(1));
            Console.WriteLine("replacement silo 3…");
            report.Replacement = await ReplacementAsync(cluster, client, queries, ct);
            live = [0, 2, 3];
        }

        if (selected.Contains("stop"))
        {
            Console.WriteLine("drill: SIGSTOP silo 2 for 20 s, then SIGCONT (a stalled node)");
            await Drill("silo SIGSTOP 20 s (1 of 3)", settings, async () =>
            {
                await cluster.FreezeSiloAsync(2);
                await Task.Delay(TimeSpan.FromSeconds(20), ct);
                await cluster.ThawSiloAsync(2);
            });
            report.FrozenSilo = await AfterThawAsync(cluster, ct);
        }

        if (selected.Contains("rolling"))
        {
            Console.WriteLine("drill: rolling restart of every silo, one at a time");
            await Drill("rolling restart (3 silos)", settings with { Duration = duration + TimeSpan.FromSeconds(120) }, async () =>
            {
                foreach (var silo in live)
                {
                    await cluster.StopSiloAsync(silo);
                    await cluster.StartSiloAsync(silo);
                    await cluster.WaitForActiveSilosAsync(3, ct);
                }
            });
        }

        async Task KillRedis()
        {
            await cluster.KillRedisAsync();
            await Task.Delay(TimeSpan.FromSeconds(5), ct);
            // The script starts it with appendfsync always again.
            await cluster.StartRedisAsync();
        }

        if (selected.Contains("redis"))
        {
            Console.WriteLine("drill: SIGKILL redis-server mid-stream, start it again 5 s later (appendfsync everysec)");
            await cluster.ConfigureRedisAsync("appendfsync", "everysec");
            await Drill("redis SIGKILL + restart (5 s down), appendfsync everysec", settings, KillRedis);
            Console.WriteLine("drill: the same with appendfsync always (Storage:Durability=Fsync)");
            await Drill("redis SIGKILL + restart (5 s down), appendfsync always", settings, KillRedis);
        }

        // Until now a replica that outlived a fault could answer from memory: stopping every silo makes each shard
        // load what Redis holds, so this audit checks storage itself.
        Console.WriteLine("stopping every silo and starting them again: every shard reloads from Redis…");
        foreach (var silo in live)
        {
            await cluster.StopSiloAsync(silo);
        }

        foreach (var silo in live)
        {
            await cluster.StartSiloAsync(silo);
        }

        await cluster.WaitForActiveSilosAsync(3, ct);
        report.ReloadAudit = await DocumentAudit.RunAsync(client, "drill", acknowledged, ct);
    }

    private static async Task<string> ReplacementAsync(LocalCluster cluster, HttpClient client, IReadOnlyList<string> queries, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await cluster.StartSiloAsync(3);
        await cluster.WaitForActiveSilosAsync(3, ct);
        var joined = clock.Elapsed.TotalSeconds - 3;
        var endpoint = cluster.SiloEndpoint(3);
        int searches = 0, onReplacement = 0;
        for (var i = 0; i < 20; i++)
        {
            // A query never asked before: the drills' repeated queries would be answered from the score cache.
            var query = $"{queries[i % queries.Count]} (replacement check {i})";
            var response = await client.PostAsJsonAsync("v1/indexes/drill/search", new { query, top_k = 5, candidates = 50 }, ct);
            if (!response.IsSuccessStatusCode)
            {
                continue;
            }

            searches++;
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            if (body.GetProperty("timings").GetProperty("rerank_silos").EnumerateArray().Any(s => s.GetString()!.Contains(endpoint, StringComparison.Ordinal)))
            {
                onReplacement++;
            }
        }

        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Silo 3 (`{endpoint}`) was started after the kill and counted as active {joined:F1} s later. Of {searches} searches that followed, " +
            $"**{onReplacement}** had micro-batches cross-encoded on it (its address in `timings.rerank_silos`).");
    }

    private static async Task<string> RunTestsAsync(string root, CancellationToken ct)
    {
        var artifacts = Directory.CreateTempSubdirectory("rerank-report-").FullName;
        Console.WriteLine("running the hostile-input and fuzz tests…");
        await DotnetCli.RunAsync(root, ["test", "tests/ClusterTests/ClusterTests.csproj", "-c", "Release", "--filter", "FullyQualifiedName~HostileInputTests|FullyQualifiedName~FuzzTests"],
            "the hostile-input or fuzz tests failed; the report was not written.", ct, ("RERANK_REPORT_DIR", artifacts));
        return artifacts;
    }
}
