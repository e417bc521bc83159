using RerankCluster.Evaluation;

namespace RerankCluster.UnitTests;

public sealed class MetricsTests
{
    private static readonly Dictionary<string, int> Judged = new() { ["d1"] = 2, ["d4"] = 1, ["d9"] = 0 };

    [Fact]
    public void Metrics_match_hand_computed_values()
    {
        string[] ranked = ["d3", "d1", "d9", "d4", "d5"];
        Assert.Equal(0.5, RankingMetrics.RecallAt(ranked, Judged, 2));
        Assert.Equal(1.0, RankingMetrics.RecallAt(ranked, Judged, 5));
        Assert.Equal(0.5, RankingMetrics.ReciprocalRankAt(ranked, Judged, 10));
        Assert.Equal(0.0, RankingMetrics.ReciprocalRankAt(ranked, Judged, 1));
        Assert.Equal(1.0, RankingMetrics.SuccessAt(ranked, Judged, 2));
        Assert.Equal(0.0, RankingMetrics.SuccessAt(ranked, Judged, 1));

        // DCG = 2/log2(3) + 1/log2(5); ideal = 2/log2(2) + 1/log2(3).
        var expected = (2 / Math.Log2(3) + 1 / Math.Log2(5)) / (2 + 1 / Math.Log2(3));
        Assert.Equal(expected, RankingMetrics.NdcgAt(ranked, Judged, 10), 1e-12);
        Assert.Equal(1.0, RankingMetrics.NdcgAt(["d1", "d4"], Judged, 10), 1e-12);
    }

    [Fact]
    public void Summary_averages_over_queries()
    {
        var qrels = new Qrels(new() { ["q1"] = new() { ["a"] = 1 }, ["q2"] = new() { ["b"] = 1 } });
        var summary = RankingMetrics.Summarise(new Dictionary<string, IReadOnlyList<string>>
        {
            ["q1"] = ["a", "x"],
            ["q2"] = ["x", "y"],
        }, qrels);
        Assert.Equal(0.5, summary["success@1"]);
        Assert.Equal(0.5, summary["mrr@10"]);
        Assert.Equal(0.5, summary["recall@50"]);
    }

    [Fact]
    public void Trec_runs_collapse_chunks_to_their_best_document()
    {
        var collapsed = TrecRun.CollapseToDocuments([("a", 3.0), ("b", 2.0), ("a", 1.0), ("c", 0.5)]);
        Assert.Equal([("a", 3.0), ("b", 2.0), ("c", 0.5)], collapsed);

        var path = Path.GetTempFileName();
        TrecRun.Write(path, [("q1", collapsed)], "tag");
        Assert.Equal(["q1 Q0 a 1 3 tag", "q1 Q0 b 2 2 tag", "q1 Q0 c 3 0.5 tag"], File.ReadAllLines(path));
        File.Delete(path);
    }

    [Fact]
    public void Latency_percentiles_use_nearest_rank()
    {
        var summary = LatencySummary.Of(Enumerable.Range(1, 100).Select(i => (double)i).ToArray());
        Assert.Equal(50, summary.P50);
        Assert.Equal(99, summary.P99);
        Assert.Equal(100, summary.Max);
        Assert.Equal(0, LatencySummary.Of([]).Count);
    }

    [Fact]
    public void Beir_folder_without_qrels_is_named_in_the_error()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(dir, "corpus.jsonl"), "{\"_id\":\"1\",\"text\":\"t\"}\n");
        File.WriteAllText(Path.Combine(dir, "queries.jsonl"), "{\"_id\":\"q\",\"text\":\"t\"}\n");
        var error = Assert.Throws<FileNotFoundException>(() => BeirDataset.Load(dir));
        Assert.Contains("qrels", error.Message);
        Directory.Delete(dir, true);
    }
}
