using System.Globalization;
using RerankCluster.Evaluation;

namespace RerankCluster.Cli.Scale;

/// <summary>What `rerank scale` measured, every figure from simulated accelerators; written as scale.json.</summary>
public sealed class ScaleReport
{
    public string Note { get; init; } =
        "SIMULATED ACCELERATORS: every silo's model call waits for a modelled time (Simulation:*); gateway, Orleans messaging, " +
        "tokenisation, batching, admission and Redis are real. Figures show the control plane's scaling, not model speed.";

    public required Dictionary<string, object> Settings { get; init; }

    /// <summary>Closed-loop search throughput (q/s) and latency by cluster size.</summary>
    public List<CapacityPoint> Capacity { get; } = [];

    public double? ScalingEfficiency8 { get; set; }

    public double? MixedCapacityFraction { get; set; }

    public CapacityPoint? Mixed { get; set; }

    public List<OverloadPoint> Overload { get; } = [];

    public double? OverloadAcceptedP99Ratio { get; set; }

    public double? OverloadRefusedFraction { get; set; }

    public double? OverloadRefusedP99Ms { get; set; }

    public LatencySummary? QuietTenantAlone { get; set; }

    public LatencySummary? QuietTenantBesideFlood { get; set; }

    /// <summary>Share of the quiet tenant's requests refused (429) beside the flood.</summary>
    public double? QuietTenantRefusedFraction { get; set; }

    /// <summary>The flooding tenant's accepted requests, for comparison with the quiet tenant's.</summary>
    public LatencySummary? FloodAccepted { get; set; }

    public double? FloodRefusedFraction { get; set; }

    public double? QuietTenantP99Ratio { get; set; }

    public LatencySummary? SearchIdle { get; set; }

    public LatencySummary? SearchDuringIngest { get; set; }

    public double? SearchDuringIngestRatio { get; set; }

    public Dictionary<string, double> IngestDocumentsPerSecond { get; } = [];

    /// <summary>CPU milliseconds of the gateway and silo processes per ingested document, at 1 and 4 silos.</summary>
    public Dictionary<string, double> IngestCpuMsPerDocument { get; } = [];

    public double? IngestSpeedup4 { get; set; }

    public double? ControlPlaneCpuMsPerQuery { get; set; }

    public sealed record CapacityPoint(int Silos, double Qps, LatencySummary Latency, int Errors, double CpuMsPerQuery, double SummedSiloCapacity);

    public sealed record OverloadPoint(double LoadFraction, double OfferedQps, LatencySummary Accepted, double RefusedFraction, LatencySummary Refused,
        int OtherErrors);

    public void Print(TextWriter console)
    {
        console.WriteLine();
        console.WriteLine("== rerank scale: SIMULATED ACCELERATORS (model calls wait for a modelled time; everything else is real) ==");
        console.WriteLine(F($"{"silos",-8} {"q/s",8} {"x one",7} {"p50 ms",8} {"p99 ms",8} {"errors",7} {"CPU ms/q",9}"));
        var one = Capacity.FirstOrDefault(c => c.Silos == 1)?.Qps;
        foreach (var point in Capacity)
        {
            console.WriteLine(F($"{point.Silos,-8} {point.Qps,8:F1} {(one is > 0 ? point.Qps / one.Value : 0),7:F2} {point.Latency.P50,8:F0} {point.Latency.P99,8:F0} {point.Errors,7} {point.CpuMsPerQuery,9:F1}"));
        }

        if (Mixed is not null)
        {
            console.WriteLine(F($"mixed (1 silo 10x + 3): {Mixed.Qps:F1} q/s of {Mixed.SummedSiloCapacity:F1} summed capacity = {MixedCapacityFraction:F2}"));
        }

        foreach (var point in Overload)
        {
            console.WriteLine(F($"load {point.LoadFraction,4:P0}: offered {point.OfferedQps,5:F1} q/s  accepted p50 {point.Accepted.P50,6:F0} ms p99 {point.Accepted.P99,6:F0} ms  refused {point.RefusedFraction,6:P1} (p99 {point.Refused.P99,4:F0} ms)  other errors {point.OtherErrors}"));
        }

        Line("scaling efficiency at 8 silos", ScalingEfficiency8, "target >= 0.85");
        Line("mixed cluster / summed capacity", MixedCapacityFraction, "target >= 0.9");
        Line("accepted p99 at 150 % / at 50 %", OverloadAcceptedP99Ratio, "target <= 3");
        Line("refused share at 150 %", OverloadRefusedFraction, "");
        Line("refused p99 ms at 150 %", OverloadRefusedP99Ms, "target <= 50");
        Line("quiet tenant p99 beside a flood / alone", QuietTenantP99Ratio, "target <= 2");
        Line("search p99 during ingestion / idle", SearchDuringIngestRatio, "target <= 2");
        Line("ingestion at 4 silos / 1 silo", IngestSpeedup4, "target >= 3");
        Line("control-plane CPU ms per query", ControlPlaneCpuMsPerQuery, "");

        void Line(string name, double? value, string target) =>
            console.WriteLine(F($"{name,-42} {(value is { } v ? v.ToString("F3", CultureInfo.InvariantCulture) : "not measured"),12}  {target}"));
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
