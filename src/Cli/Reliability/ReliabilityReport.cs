using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RerankCluster.Cli.Reliability;

/// <summary>docs/reliability.md: faults under load, documents lost, hostile inputs and fuzzing, with the figures of one run.</summary>
public sealed class ReliabilityReport
{
    public List<(DrillResult Drill, DocumentAudit.Result Audit)> Faults { get; } = [];

    public string? Replacement { get; set; }

    /// <summary>What became of the frozen silo: declared dead while frozen (and started again), or taken back when it thawed.</summary>
    public string? FrozenSilo { get; set; }

    /// <summary>Every acknowledged document checked after all silos restarted, so that every shard was read back from Redis.</summary>
    public DocumentAudit.Result? ReloadAudit { get; set; }

    /// <summary>The silos ran simulated accelerators: said at the top of the report.</summary>
    public bool Simulated { get; init; }

    /// <summary>Folder the cluster tests wrote their catalogue and fuzz figures to (RERANK_REPORT_DIR).</summary>
    public string? TestArtifacts { get; set; }

    public string Render(string command, string settings)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        Line($"# Reliability report");
        md.AppendLine();
        Line($"Generated {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC by `{command}` on a machine with {Environment.ProcessorCount} cores. {settings}");
        md.AppendLine("Every figure below comes from that one run; rerun the command to regenerate this file.");
        md.AppendLine();
        if (Simulated)
        {
            md.AppendLine("> **SIMULATED ACCELERATORS.** The silos' models were simulated (each call waits for a modelled time and returns");
            md.AppendLine("> deterministic scores that mean nothing about relevance), so the load could be far above what the real model sustains");
            md.AppendLine("> on this machine; every other part (gateway, Orleans, shards, batching, redis-server) was real.");
            md.AppendLine();
        }

        md.AppendLine("## Faults under load (real processes, real redis-server, loopback)");
        md.AppendLine();
        md.AppendLine("| fault | requests | failed | success | first failure after fault | recovery (fault → last failure ends) | statuses | p99 before / after (ms) | p99 during: searches / writes (ms) | writes acknowledged | documents lost |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (d, audit) in Faults)
        {
            var first = d.FirstFailureSeconds is { } f ? $"{f - d.FaultAtSeconds:F1} s" : "none";
            Line($"| {d.Name} | {d.Requests} | {d.Failed} | {d.SuccessRate:P1} | {first} | {d.RecoverySeconds:F1} s | {string.Join(", ", d.Statuses.Select(s => $"{(s.Key == "0" ? "no answer" : s.Key)}×{s.Value}"))} | {d.P99BeforeMs:F0} / {d.P99AfterMs:F0} | {d.SearchP99DuringMs:F0} / {d.WriteP99DuringMs:F0} | {d.WritesAcknowledged} | {audit.Missing.Count} of {audit.Acknowledged} |");
        }

        md.AppendLine();
        foreach (var (d, _) in Faults.Where(f => f.Drill.Failures.Count > 0))
        {
            var failures = string.Join("; ", d.Failures.Take(5).Select(f =>
                $"{f.Kind} ×{f.Count} → {(f.Status == 0 ? "no answer" : f.Status)} ({(f.Error.Length == 0 ? "no detail" : f.Error)})"));
            Line($"What failed in \"{d.Name}\": {failures}.");
            md.AppendLine();
        }

        md.AppendLine($"Documents lost over all faults: **{Faults.Sum(f => f.Audit.Missing.Count)}** (acknowledged documents a GET of /v1/indexes/drill/documents/{{id}} did not find afterwards).");
        if (ReloadAudit is { } reload)
        {
            md.AppendLine();
            Line($"After the drills every silo was stopped and started again, so every shard replica reloaded what Redis holds: **{reload.Missing.Count}** of {reload.Acknowledged} acknowledged documents missing ({reload.Indexed} indexed).");
            md.AppendLine("A SIGKILL of redis-server loses no acknowledged write under either appendfsync setting: Redis write()s the append-only");
            md.AppendLine("file before it replies, and a killed process's writes stay in the kernel's page cache. What `appendfsync always`");
            md.AppendLine("(`Storage:Durability=Fsync`) adds is that the write is on disk, which only a host crash or power loss can tell apart.");
        }
        if (FrozenSilo is not null)
        {
            md.AppendLine();
            md.AppendLine("## The frozen silo");
            md.AppendLine();
            md.AppendLine(FrozenSilo);
        }

        if (Replacement is not null)
        {
            md.AppendLine();
            md.AppendLine("## Replacement silo");
            md.AppendLine();
            md.AppendLine(Replacement);
        }

        if (TestArtifacts is not null)
        {
            AppendHostile(md);
            AppendFuzz(md);
        }

        return md.ToString();
    }

    private void AppendHostile(StringBuilder md)
    {
        var path = Path.Combine(TestArtifacts!, "hostile.jsonl");
        if (!File.Exists(path))
        {
            return;
        }

        var cases = File.ReadLines(path).Select(l => JsonDocument.Parse(l).RootElement).OrderBy(c => c.GetProperty("name").GetString()).ToList();
        md.AppendLine();
        md.AppendLine($"## Hostile input ({cases.Count} requests; the service answered /healthz and /readyz after each)");
        md.AppendLine();
        md.AppendLine("| request | expected | answered | problem detail (start) |");
        md.AppendLine("|---|---|---|---|");
        foreach (var c in cases)
        {
            var detail = c.GetProperty("detail").GetString() ?? "";
            detail = detail.Replace("|", "\\|").Replace("\n", " ");
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {c.GetProperty("name").GetString()} | {c.GetProperty("expected").GetInt32()} | {c.GetProperty("status").GetInt32()} | {(detail.Length > 90 ? detail[..90] + "…" : detail)} |"));
        }
    }

    private void AppendFuzz(StringBuilder md)
    {
        var path = Path.Combine(TestArtifacts!, "fuzz.json");
        if (!File.Exists(path))
        {
            return;
        }

        var fuzz = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        md.AppendLine();
        md.AppendLine("## Fuzzing");
        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{fuzz.GetProperty("cases").GetInt32()} generated bodies (seed {fuzz.GetProperty("seed").GetInt32()}, {fuzz.GetProperty("cases_per_endpoint").GetInt32()} to each of {fuzz.GetProperty("endpoints").GetArrayLength()} JSON endpoints: " +
            $"{string.Join(", ", fuzz.GetProperty("endpoints").EnumerateArray().Select(e => e.GetString()))}): **{fuzz.GetProperty("server_errors").GetInt32()} answers of 5xx**, " +
            $"statuses {fuzz.GetProperty("statuses").GetRawText()}; managed memory {fuzz.GetProperty("memory_before_mb").GetDouble():F0} MB before, {fuzz.GetProperty("memory_after_mb").GetDouble():F0} MB after, in {fuzz.GetProperty("seconds").GetDouble():F0} s."));
    }
}
