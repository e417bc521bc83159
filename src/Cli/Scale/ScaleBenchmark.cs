using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using RerankCluster.Cli.Corpus;
using RerankCluster.Client;
using RerankCluster.Cli.Hosting;
using RerankCluster.Cli.Load;
using RerankCluster.Evaluation;
using RerankCluster.Client.Contracts;
using RerankCluster.Client.Retries;

namespace RerankCluster.Cli.Scale;

/// <summary>
/// `rerank scale`: redis-server, N silo processes on simulated accelerators and a gateway on loopback,
/// driven by the load tester. Measures search throughput as the cluster grows 1 → 2 → 4 → 8 silos,
/// a mixed cluster (one silo 10× the others), latency and refusals at 50–150 % of capacity, a quiet
/// tenant beside a flooding one, searches during ingestion, and ingestion speed at 1 and 4 silos.
/// </summary>
public sealed class ScaleBenchmark(ScaleBenchmark.Settings settings, TextWriter log)
{
    private const string AdminKey = "scale-benchmark-admin-key-0001";
    private const int Shards = 8;
    private const int Candidates = 50;
    // Short beside a query's time on a silo (tens to hundreds of ms), so a refused client is back before the device frees.
    private static readonly TimeSpan RefusedPause = TimeSpan.FromMilliseconds(20);

    public sealed record Settings(TimeSpan Step, double TokensPerSecond, double EmbedTokensPerSecond, int Documents, string Configuration);

    private IReadOnlyList<string> _queries = [];
    private IReadOnlyList<DocumentBody> _corpus = [];

    public async Task<ScaleReport> RunAsync(CancellationToken ct)
    {
        var root = RepositoryRoot.Find();
        _queries = LoadRequest.ReadQueries(Path.Combine(root, "samples", "beir-mini"));
        _corpus = Corpus(Path.Combine(root, "samples", "sample-corpus.jsonl"), settings.Documents);
        var report = new ScaleReport
        {
            Settings = new Dictionary<string, object>
            {
                ["step_seconds"] = settings.Step.TotalSeconds,
                ["simulated_cross_encoder_tokens_per_second"] = settings.TokensPerSecond,
                ["simulated_bi_encoder_tokens_per_second"] = settings.EmbedTokensPerSecond,
                ["documents"] = _corpus.Count,
                ["shards"] = Shards,
                ["candidates"] = Candidates,
                ["caches"] = "off",
                ["batching_max_batch_time_ms"] = 50,
                ["machine_cores"] = System.Environment.ProcessorCount,
            },
        };

        await EqualSilosAsync(report, ct);
        await MixedClusterAsync(report, ct);
        return report;
    }

    private async Task EqualSilosAsync(ScaleReport report, CancellationToken ct)
    {
        log.WriteLine("starting redis-server, 1 silo and a gateway (simulated accelerators)…");
        await using var cluster = await LocalCluster.StartAsync(1, AdminKey, settings.Configuration, ct, SiloSettings(settings.TokensPerSecond));
        using var tenant = await cluster.NewTenantAsync("scale", ct);
        // The first ingestion also loads the models and compiles the write path: the measured one comes second.
        await IngestAsync(cluster, tenant, "scale", ct);
        var one = await IngestAsync(cluster, tenant, "ingest-1", ct);
        report.IngestDocumentsPerSecond["1"] = Math.Round(one.Rate, 1);
        report.IngestCpuMsPerDocument["1"] = one.CpuMsPerDocument;

        var size = 1;
        foreach (var silos in new[] { 1, 2, 4, 8 })
        {
            for (; size < silos; size++)
            {
                await cluster.StartSiloAsync(size);
            }

            await cluster.WaitForActiveSilosAsync(silos, ct);
            var point = await CapacityAsync(cluster, tenant, "scale", silos, silos * settings.TokensPerSecond, ct);
            report.Capacity.Add(point);
            if (silos == 4)
            {
                // As at one silo: the silos that joined have not run the write path yet.
                await IngestAsync(cluster, tenant, "warm-4", ct);
                var four = await IngestAsync(cluster, tenant, "ingest-4", ct);
                report.IngestDocumentsPerSecond["4"] = Math.Round(four.Rate, 1);
                report.IngestCpuMsPerDocument["4"] = four.CpuMsPerDocument;
                report.IngestSpeedup4 = Math.Round(four.Rate / one.Rate, 3);
                await OverloadAsync(report, tenant, point.Qps, ct);
                await TenantsAsync(report, cluster, tenant, point.Qps, ct);
                await SearchDuringIngestAsync(report, tenant, point.Qps, ct);
            }
        }

        var single = report.Capacity[0].Qps;
        var eight = report.Capacity[^1];
        report.ScalingEfficiency8 = Math.Round(eight.Qps / (8 * single), 3);
        report.ControlPlaneCpuMsPerQuery = eight.CpuMsPerQuery;
    }

    private async Task MixedClusterAsync(ScaleReport report, CancellationToken ct)
    {
        // One silo 10 × the other three: 5 × and 0.5 × the base speed, so the sum is 6.5 one-silo capacities.
        var fast = settings.TokensPerSecond * 5;
        var slow = settings.TokensPerSecond / 2;
        log.WriteLine($"mixed cluster: 1 silo at {fast:F0} and 3 at {slow:F0} simulated tokens/s…");
        await using var cluster = await LocalCluster.StartAsync(4, AdminKey, settings.Configuration, ct, SiloSettings(slow),
            i => i == 0 ? new Dictionary<string, string> { ["Simulation__CrossEncoderTokensPerSecond"] = Invariant(fast) } : null);
        using var tenant = await cluster.NewTenantAsync("mixed", ct);
        await cluster.WaitForActiveSilosAsync(4, ct);
        await IngestAsync(cluster, tenant, "scale", ct);
        var point = await CapacityAsync(cluster, tenant, "scale", 4, fast + 3 * slow, ct);
        var oneSilo = report.Capacity[0];
        report.Mixed = point with { SummedSiloCapacity = Math.Round(oneSilo.Qps * (fast + 3 * slow) / settings.TokensPerSecond, 2) };
        report.MixedCapacityFraction = Math.Round(point.Qps / report.Mixed.SummedSiloCapacity, 3);
    }

    /// <summary>
    /// Closed loop, two clients per silo, so that a query is ready whenever a silo's device frees. The second
    /// is often past Batching:MaxQueueDelay and refused: it pauses (RefusedPause) before its next try, as a
    /// client heeding back-pressure does, so the CPU measured is spent on queries rather than on refusals.
    /// </summary>
    private async Task<ScaleReport.CapacityPoint> CapacityAsync(LocalCluster cluster, HttpClient tenant, string index, int silos, double tokensPerSecond,
        CancellationToken ct)
    {
        var runner = Runner(tenant, Searches(index, "capacity"));
        // Warm-up: every silo measures its throughput before dispatch can weigh it.
        await runner.ClosedLoop(2 * silos, TimeSpan.FromSeconds(4), int.MaxValue, ct, RefusedPause);
        var cpu = ProcessCpu.Of(cluster.ServiceProcessIds());
        var result = await runner.ClosedLoop(2 * silos, settings.Step, int.MaxValue, ct, RefusedPause);
        var used = ProcessCpu.Of(cluster.ServiceProcessIds()) - cpu;
        var ok = result.Samples.Where(s => s.Status == 200).ToList();
        var qps = ok.Count / result.Wall.TotalSeconds;
        log.WriteLine(F($"{silos} silo(s): {qps:F1} q/s, p99 {LatencySummary.Of(ok.Select(s => s.LatencyMs).ToList()).P99:F0} ms"));
        return new ScaleReport.CapacityPoint(silos, Math.Round(qps, 2), LatencySummary.Of(ok.Select(s => s.LatencyMs).ToList()),
            result.Samples.Count - ok.Count, Math.Round(used.TotalMilliseconds / Math.Max(1, ok.Count), 2), tokensPerSecond);
    }

    private async Task OverloadAsync(ScaleReport report, HttpClient tenant, double capacity, CancellationToken ct)
    {
        foreach (var fraction in new[] { 0.5, 0.8, 1.0, 1.5 })
        {
            var result = await Runner(tenant, Searches("scale", "overload")).OpenLoop(capacity * fraction, settings.Step, int.MaxValue, ct);
            var accepted = result.Samples.Where(s => s.Status == 200).Select(s => s.LatencyMs).ToList();
            var refused = result.Samples.Where(s => s.Status == 429).Select(s => s.LatencyMs).ToList();
            var point = new ScaleReport.OverloadPoint(fraction, Math.Round(capacity * fraction, 2), LatencySummary.Of(accepted),
                RefusedFraction(result), LatencySummary.Of(refused),
                result.Samples.Count - accepted.Count - refused.Count);
            report.Overload.Add(point);
            log.WriteLine(F($"load {fraction:P0}: accepted p99 {point.Accepted.P99:F0} ms, refused {point.RefusedFraction:P1}"));
        }

        var half = report.Overload.First(p => p.LoadFraction == 0.5);
        var over = report.Overload.First(p => p.LoadFraction == 1.5);
        report.OverloadAcceptedP99Ratio = Math.Round(over.Accepted.P99 / Math.Max(1, half.Accepted.P99), 3);
        report.OverloadRefusedFraction = over.RefusedFraction;
        report.OverloadRefusedP99Ms = Math.Round(over.Refused.P99, 1);
    }

    /// <summary>A quiet tenant at a quarter of capacity, alone and then beside one flooding at 3 × its half share.</summary>
    private async Task TenantsAsync(ScaleReport report, LocalCluster cluster, HttpClient quiet, double capacity, CancellationToken ct)
    {
        using var flood = await cluster.NewTenantAsync("flood", ct);
        await IngestAsync(cluster, flood, "scale", ct);
        var alone = await Runner(quiet, Searches("scale", "quiet")).OpenLoop(capacity / 4, settings.Step, int.MaxValue, ct);
        var floodRun = Runner(flood, Searches("scale", "flood")).OpenLoop(capacity * 1.5, settings.Step, int.MaxValue, ct);
        var beside = await Runner(quiet, Searches("scale", "quiet")).OpenLoop(capacity / 4, settings.Step, int.MaxValue, ct);
        var floodResult = await floodRun;
        report.QuietTenantAlone = Ok(alone);
        report.QuietTenantBesideFlood = Ok(beside);
        report.QuietTenantRefusedFraction = RefusedFraction(beside);
        report.FloodAccepted = Ok(floodResult);
        report.FloodRefusedFraction = RefusedFraction(floodResult);
        report.QuietTenantP99Ratio = Math.Round(report.QuietTenantBesideFlood.P99 / Math.Max(1, report.QuietTenantAlone.P99), 3);
        log.WriteLine(F($"quiet tenant p50/p99: alone {report.QuietTenantAlone.P50:F0}/{report.QuietTenantAlone.P99:F0} ms, beside a flood ") +
                      F($"{report.QuietTenantBesideFlood.P50:F0}/{report.QuietTenantBesideFlood.P99:F0} ms ({report.QuietTenantRefusedFraction:P1} refused); ") +
                      F($"the flood's accepted {report.FloodAccepted.P50:F0}/{report.FloodAccepted.P99:F0} ms ({report.FloodRefusedFraction:P1} refused)"));
    }

    private async Task SearchDuringIngestAsync(ScaleReport report, HttpClient tenant, double capacity, CancellationToken ct)
    {
        var idle = await Runner(tenant, Searches("scale", "idle")).OpenLoop(capacity * 0.3, settings.Step, int.MaxValue, ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var writer = Task.Run(async () =>
        {
            var client = new RerankClient(tenant);
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                var batch = _corpus.Take(50).Select((d, i) => d with { Id = $"stream-{round}-{i}" }).ToArray();
                await client.UpsertAsync("scale", batch, ct: stop.Token);
            }
        }, CancellationToken.None);
        var during = await Runner(tenant, Searches("scale", "during-ingest")).OpenLoop(capacity * 0.3, settings.Step, int.MaxValue, ct);
        await stop.CancelAsync();
        await writer.ContinueWith(_ => { }, CancellationToken.None);
        report.SearchIdle = Ok(idle);
        report.SearchDuringIngest = Ok(during);
        report.SearchDuringIngestRatio = Math.Round(report.SearchDuringIngest.P99 / Math.Max(1, report.SearchIdle.P99), 3);
        log.WriteLine(F($"search p99: idle {report.SearchIdle.P99:F0} ms, during ingestion {report.SearchDuringIngest.P99:F0} ms"));
    }

    /// <summary>
    /// Documents per second into a new index: 16 writers at once (enough to keep 4 silos' embedders busy), each upsert
    /// of 50 followed until stored; and the CPU the gateway and silos spent per document, which says whether this
    /// machine's cores, not the simulated embedders, set the rate.
    /// </summary>
    private async Task<(double Rate, double CpuMsPerDocument)> IngestAsync(LocalCluster cluster, HttpClient tenant, string index, CancellationToken ct)
    {
        // A refused batch (429) is sent again after the server's Retry-After, as a well-behaved bulk loader does.
        var client = new RerankClient(tenant, new RetryPolicy { MaxAttempts = 100 });
        (await tenant.PutAsJsonAsync($"v1/indexes/{index}", new { shards = Shards }, ct)).EnsureSuccessStatusCode();
        var cpu = ProcessCpu.Of(cluster.ServiceProcessIds());
        var clock = Stopwatch.StartNew();
        var batches = _corpus.Chunk(50).ToArray();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Length)
            {
                await client.UpsertAsync(index, batches[i], ct: ct);
            }
        }, ct)));
        var rate = _corpus.Count / clock.Elapsed.TotalSeconds;
        var cpuMs = Math.Round((ProcessCpu.Of(cluster.ServiceProcessIds()) - cpu).TotalMilliseconds / _corpus.Count, 2);
        log.WriteLine(F($"ingested {_corpus.Count} documents into {index}: {rate:F1} documents/s, {cpuMs:F1} CPU ms per document"));
        return (rate, cpuMs);
    }

    private LoadRunner Runner(HttpClient tenant, Func<int, LoadRequest> requests) =>
        new(tenant, tenant.DefaultRequestHeaders.Authorization!.Parameter, requests, TextWriter.Null);

    private Func<int, LoadRequest> Searches(string index, string tag) => i =>
        new LoadRequest("search", $"v1/indexes/{index}/search", new { query = _queries[i % _queries.Count], top_k = 5, candidates = Candidates }, tag);

    private static double RefusedFraction(LoadRunner.Result result) =>
        Math.Round((double)result.Samples.Count(s => s.Status == 429) / Math.Max(1, result.Samples.Count), 4);

    private static LatencySummary Ok(LoadRunner.Result result) =>
        LatencySummary.Of(result.Samples.Where(s => s.Status == 200).Select(s => s.LatencyMs).ToList());

    private Dictionary<string, string> SiloSettings(double tokensPerSecond) => new()
    {
        ["Simulation__Enabled"] = "true",
        ["Simulation__CrossEncoderTokensPerSecond"] = Invariant(tokensPerSecond),
        ["Simulation__BiEncoderTokensPerSecond"] = Invariant(settings.EmbedTokensPerSecond),
        // Every query reaches the silos' models: no cache answers for them.
        ["Cache__Scores"] = "0",
        ["Cache__QueryEmbeddings"] = "0",
        // A model call holds a simulated device for at most ~50 ms: a quiet tenant waits about two calls beside a flood.
        ["Batching__MaxBatchTime"] = "00:00:00.050",
        ["Limits__RequestsPerSecond"] = "100000",
        ["Limits__Burst"] = "100000",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    /// <summary>Distinct documents of realistic length, each two sample passages run together.</summary>
    private static IReadOnlyList<DocumentBody> Corpus(string path, int count)
    {
        var texts = CorpusReader.Read(path).Select(r => r.IndexedText).ToArray();
        return Enumerable.Range(0, count)
            .Select(i => new DocumentBody($"doc-{i}", $"{texts[i % texts.Length]} {texts[(i * 7 + 3) % texts.Length]}", null))
            .ToList();
    }

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
