using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RerankCluster.Evaluation;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;
using RerankCluster.Inference;
using RerankCluster.Inference.Batching;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Onnx;
using RerankCluster.Inference.Simulation;
using RerankCluster.Retrieval;

namespace RerankCluster.Bench;

/// <summary>
/// Every scenario of the performance issue, on the same machine, inputs and process, one after the
/// other: (1) the seed's pattern, (2) the cluster's path at 1, 4 and 16 queries in flight, (3) raw
/// ONNX Runtime on exactly the batches the cluster formed, (4) fp32 against int8, (5) stage 1 against
/// stage 2 at two index sizes.
/// </summary>
public sealed class RerankBenchmark(RerankBenchmark.Settings settings, TextWriter console)
{
    public sealed record Settings(string Output, int Queries, int Candidates, int LargeIndex, bool ShowBatches);

    private const int SmallIndex = 5_000;

    private readonly Dictionary<string, object> _results = new();

    public async Task RunAsync(CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var cache = new ModelStoreOptions().ResolveCacheDirectory();
        var sessions = new OnnxSessionFactory(new OnnxRuntimeOptions());
        var fp32Files = ModelResolver.DefaultCrossEncoder(cache);
        using var fp32 = new CrossEncoder(fp32Files, sessions);
        using var int8 = new CrossEncoder(ReducedPrecisionModel.Ensure(fp32Files, cache, ModelPrecision.Int8), sessions);
        using var int8Dynamic = new CrossEncoder(ReducedPrecisionModel.Ensure(fp32Files, cache, ModelPrecision.Int8Dynamic), sessions);
        var workload = SyntheticWorkload.Create(Path.Combine(fp32Files.Directory, "vocab.txt"), fp32.Tokenizer, settings.Queries * 2, settings.Candidates);
        var queries = workload.Queries;
        var pairsPerQuery = settings.Candidates;
        console.WriteLine($"RerankCluster bench: {Environment.ProcessorCount} cores, cross-encoder {fp32.Model.Name} (MiniLM-L6 compute).");
        if (!fp32.ScoresAreRelevance)
        {
            console.WriteLine($"  {DerivedTestCrossEncoder.Warning}: timings are real, scores are not relevance.");
        }
        console.WriteLine($"  {queries.Count} synthetic queries × {pairsPerQuery} passages (mean {workload.MeanPassageTokens:F0} tokens, 20–300).");

        // 0. What the cores can issue, measured before anything else runs.
        var peak = FmaPeak.Measure(TimeSpan.FromMilliseconds(300));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  fp32 peak measured: {peak.Gflops:F0} GFLOP/s ({peak.Threads} threads of {peak.VectorBits}-bit fused multiply-adds)."));

        // 1. The seed's pattern: one predict of all pairs per query, padded to the longest, in sequence.
        double SeedQuery(int i)
        {
            using var batch = fp32.Tokenizer.EncodePairs(queries[i].Query, queries[i].Passages, fp32.MaxLength);
            fp32.Score(batch);
            return ComputeModel.Flops(batch.Rows, batch.Width);
        }

        var baselineFlops = 0.0;
        var baseline = await LoadRun.Measure(settings.Queries, 1, i =>
        {
            baselineFlops += SeedQuery(i);
            return Task.CompletedTask;
        });
        Report("baseline", baseline, pairsPerQuery, baselineFlops);

        // 2. The cluster's path: stateless rerank through the grains, micro-batches merged per silo.
        // Caches off: every scenario must pay for its inference, as the baseline does. Admission (by tokens and by
        // queue delay) past 16 queries in flight: this measures throughput, not refusals.
        await using var cluster = await BenchCluster.StartAsync(new Dictionary<string, string?>
        {
            ["Cache:Scores"] = "0",
            ["Cache:QueryEmbeddings"] = "0",
            ["Batching:MaxQueuedTokens"] = "1048576",
            ["Batching:MaxQueueDelay"] = "00:00:00",
            // 16 in flight on two cores wait longer than a search may: the closed loop measures throughput.
            ["Rerank:Timeout"] = "00:10:00",
        });
        var rerank = cluster.Grains.GetGrain<IRerankGrain>(0);
        await rerank.Rerank(new RerankRequest(queries[0].Query, queries[0].Passages));
        var c1 = await LoadRun.Measure(settings.Queries, 1, i => rerank.Rerank(new RerankRequest(queries[i].Query, queries[i].Passages)));
        Report("cluster_c1", c1, pairsPerQuery, null);
        var c4 = await LoadRun.Measure(settings.Queries, 4, i => rerank.Rerank(new RerankRequest(queries[i].Query, queries[i].Passages)));
        Report("cluster_c4", c4, pairsPerQuery, null);
        var formed = new ConcurrentQueue<BatchRecord>();
        var batcher = (await cluster.Service<ModelCatalog>().CrossEncoder(null)).Batcher;
        void Keep(BatchRecord record) => formed.Enqueue(record with { Batch = record.Batch.Clone() });
        batcher.BatchCompleted += Keep;
        var c16 = await LoadRun.Measure(queries.Count, 16, i => rerank.Rerank(new RerankRequest(queries[i].Query, queries[i].Passages)));
        batcher.BatchCompleted -= Keep;
        var batches = formed.ToArray();
        if (settings.ShowBatches)
        {
            foreach (var b in batches)
            {
                console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  batch: {b.Rows,3} rows × {b.Width,3} tokens, {b.RealTokens,5} real, {b.Requests} requests, {b.InferenceMs,6:F0} ms"));
            }
        }
        var clusterFlops = batches.Sum(b => ComputeModel.Flops(b.Rows, b.Width));
        Report("cluster_c16", c16, pairsPerQuery, clusterFlops);

        // 2b. Below saturation, in an open loop: queries arrive at a fixed rate whatever is still running, at 50 % and 80 % of
        // the seed pattern's capacity, to both. A closed loop at 16 in flight shows only Little's law; this is what a user sees.
        using var seedQueue = new SemaphoreSlim(1);
        foreach (var load in new[] { 50, 80 })
        {
            var rate = baseline.PerSecond * load / 100;
            var seed = await LoadRun.OpenLoop(settings.Queries, rate, async i =>
            {
                // The seed answers one query at a time: arrivals wait their turn.
                await seedQueue.WaitAsync(ct);
                try
                {
                    SeedQuery(i);
                }
                finally
                {
                    seedQueue.Release();
                }
            });
            var ours = await LoadRun.OpenLoop(settings.Queries, rate, i => rerank.Rerank(new RerankRequest(queries[i].Query, queries[i].Passages)));
            _results[$"open_{load}_rate_qps"] = Round(rate);
            _results[$"open_{load}_baseline_p50_ms"] = Round(seed.Latency.P50);
            _results[$"open_{load}_baseline_p99_ms"] = Round(seed.Latency.P99);
            _results[$"open_{load}_cluster_p50_ms"] = Round(ours.Latency.P50);
            _results[$"open_{load}_cluster_p99_ms"] = Round(ours.Latency.P99);
            _results[$"open_{load}_p99_ratio"] = Round(ours.Latency.P99 / seed.Latency.P99);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"open loop at {load} % of the seed's capacity ({rate:F2} q/s): seed p50 {seed.Latency.P50:F0} ms p99 {seed.Latency.P99:F0} ms, " +
                $"cluster p50 {ours.Latency.P50:F0} ms p99 {ours.Latency.P99:F0} ms"));
        }

        // 3 and 4. Raw ONNX Runtime on exactly those batches, fp32 and both int8 schemes interleaved (so a
        // machine that slows down mid-run slows all three alike); agreement with fp32 on the
        // synthetic queries and on real English (the beir-mini sample: every document a candidate).
        var raw = Replay([("fp32", fp32), ("int8", int8), ("int8_dynamic", int8Dynamic)], batches);
        var rawFp32 = raw["fp32"];
        var pairs = batches.Sum(b => b.Rows);
        var rawQps = pairs / rawFp32.TotalSeconds / pairsPerQuery;
        var real = RealQueries();
        var fp32Synthetic = queries.Select(q => ScoreSorted(fp32, q.Query, q.Passages)).ToList();
        var fp32Real = real.Select(q => ScoreSorted(fp32, q.Query, q.Passages)).ToList();
        void CompareWithFp32(string key, CrossEncoder quantized)
        {
            var synthetic = Agreement(fp32Synthetic, quantized, queries);
            var english = Agreement(fp32Real, quantized, real);
            _results[$"{key}_speedup"] = Round(rawFp32.TotalSeconds / raw[key].TotalSeconds);
            _results[$"{key}_qps_raw"] = Round(pairs / raw[key].TotalSeconds / pairsPerQuery);
            _results[$"{key}_top5_agreement"] = Round(synthetic.Top5);
            _results[$"{key}_spearman"] = Round(synthetic.Spearman);
            _results[$"{key}_top5_agreement_real"] = Round(english.Top5);
            _results[$"{key}_spearman_real"] = Round(english.Spearman);
        }

        CompareWithFp32("int8", int8);
        CompareWithFp32("int8_dynamic", int8Dynamic);

        // 5. Stage 1 against stage 2 as the index grows.
        var stage1Small = await StageSplit(cluster, workload, fp32, SmallIndex, queries);
        var stage1Large = await StageSplit(cluster, workload, fp32, settings.LargeIndex, queries);

        _results["baseline_qps"] = Round(baseline.PerSecond);
        _results["cluster_qps_c1"] = Round(c1.PerSecond);
        _results["cluster_qps_c4"] = Round(c4.PerSecond);
        _results["cluster_qps_c16"] = Round(c16.PerSecond);
        _results["raw_ort_qps"] = Round(rawQps);
        _results["cluster_vs_raw_ort"] = Round(c16.PerSecond / rawQps);
        _results["speedup_c16_vs_baseline"] = Round(c16.PerSecond / baseline.PerSecond);
        _results["agreement_queries_synthetic"] = queries.Count;
        _results["agreement_queries_real"] = real.Count;
        _results["stage1_fraction_5k"] = Round(stage1Small.Fraction);
        _results["stage1_fraction_50k"] = Round(stage1Large.Fraction);
        _results["stage1_ms_5k"] = Round(stage1Small.Stage1Ms);
        _results["stage1_ms_50k"] = Round(stage1Large.Stage1Ms);
        _results["stage2_ms_5k"] = Round(stage1Small.Stage2Ms);
        _results["stage2_ms_50k"] = Round(stage1Large.Stage2Ms);
        _results["small_index_chunks"] = SmallIndex;
        _results["large_index_chunks"] = settings.LargeIndex;
        _results["pairs_per_query"] = pairsPerQuery;
        _results["formed_batches"] = batches.Length;
        _results["formed_mean_rows"] = Round(batches.Average(b => b.Rows));
        _results["formed_padding_fraction"] = Round(1 - batches.Sum(b => b.RealTokens) / (double)batches.Sum(b => b.PaddedTokens));
        _results["raw_ort_gflops"] = Round(clusterFlops / rawFp32.TotalSeconds / 1e9);
        _results["cluster_c16_gflops"] = Round(clusterFlops / c16.Wall.TotalSeconds / 1e9);
        _results["baseline_gflops"] = Round(baselineFlops / baseline.Wall.TotalSeconds / 1e9);
        _results["peak_gflops_fma"] = Round(peak.Gflops);
        _results["peak_vector_bits"] = peak.VectorBits;
        _results["cores"] = Environment.ProcessorCount;
        _results["machine"] = $"{RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}";
        _results["measured_at"] = started.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        // The silo reads Simulation:* from the environment as well, so a run can be simulated unasked: the page says so when it was.
        _results["cluster_simulated"] = cluster.Service<IOptions<SimulationOptions>>().Value.Enabled;
        _results["cross_encoder"] = fp32.Model.Name;
        _results["scores_are_relevance"] = fp32.ScoresAreRelevance;

        PrintSummary(peak.Gflops);
        Directory.CreateDirectory(settings.Output);
        var path = Path.Combine(settings.Output, "bench.json");
        var json = JsonSerializer.Serialize(_results, new JsonSerializerOptions { WriteIndented = true });
        await File.WriteAllTextAsync(path, json, ct);
        // The page is rendered from the file's own text, so the two cannot disagree.
        using var written = JsonDocument.Parse(json);
        var page = Path.Combine(settings.Output, "bench.html");
        await File.WriteAllTextAsync(page, BenchReport.Render(written.RootElement), ct);
        console.WriteLine($"wrote {path} and {page}");
    }

    private void Report(string name, LoadRun run, int pairsPerQuery, double? flops)
    {
        var tokensNote = flops is { } f ? string.Create(CultureInfo.InvariantCulture, $"  {f / run.Wall.TotalSeconds / 1e9,6:F1} GFLOP/s") : "";
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-12} {run.Operations,3} queries, {run.Concurrency,2} in flight: {run.PerSecond,6:F2} q/s  {run.PerSecond * pairsPerQuery,7:F1} pairs/s  " +
            $"p50 {run.Latency.P50,7:F0} ms  p99 {run.Latency.P99,7:F0} ms{tokensNote}"));
        _results[$"{name}_p50_ms"] = Round(run.Latency.P50);
        _results[$"{name}_p90_ms"] = Round(run.Latency.P90);
        _results[$"{name}_p99_ms"] = Round(run.Latency.P99);
        _results[$"{name}_pairs_per_s"] = Round(run.PerSecond * pairsPerQuery);
    }

    private Dictionary<string, TimeSpan> Replay(IReadOnlyList<(string Label, CrossEncoder Encoder)> encoders, IReadOnlyList<BatchRecord> batches)
    {
        foreach (var (_, encoder) in encoders)
        {
            encoder.Score(batches[0].Batch);
        }

        // Runs of a few batches per model: short enough that drift hits every model alike, long enough
        // that a model does not start every batch on caches the previous model filled with its weights.
        const int run = 8;
        var elapsed = new TimeSpan[encoders.Count];
        for (var start = 0; start < batches.Count; start += run)
        {
            for (var turn = 0; turn < encoders.Count; turn++)
            {
                // Who goes first rotates, so no model always follows the same one.
                var e = (start / run + turn) % encoders.Count;
                var clock = Stopwatch.StartNew();
                foreach (var batch in batches.Skip(start).Take(run))
                {
                    encoders[e].Encoder.Score(batch.Batch);
                }

                elapsed[e] += clock.Elapsed;
            }
        }

        var pairs = batches.Sum(b => b.Rows);
        var tokens = batches.Sum(b => b.RealTokens);
        for (var e = 0; e < encoders.Count; e++)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"raw ORT {encoders[e].Label,-12} {batches.Count,3} batches: " +
                $"{pairs / elapsed[e].TotalSeconds,7:F1} pairs/s  {tokens / elapsed[e].TotalSeconds,8:F0} tokens/s"));
        }

        return encoders.Select((x, e) => (x.Label, elapsed[e])).ToDictionary(x => x.Label, x => x.Item2);
    }

    /// <summary>Real English queries, each against every document of the beir-mini sample that ships with the bench.</summary>
    private static List<(string Query, string[] Passages)> RealQueries()
    {
        var dataset = BeirDataset.Load(Path.Combine(AppContext.BaseDirectory, "samples", "beir-mini"));
        var documents = CorpusReader.Read(dataset.CorpusPath).Select(d => d.Text).ToArray();
        return dataset.Queries.Select(q => (q.Text, documents)).ToList();
    }

    private static (double Top5, double Spearman) Agreement(IReadOnlyList<float[]> reference, CrossEncoder candidate,
        IReadOnlyList<(string Query, string[] Passages)> sample)
    {
        var overlaps = new List<double>();
        var correlations = new List<double>();
        for (var q = 0; q < sample.Count; q++)
        {
            var a = reference[q];
            var b = ScoreSorted(candidate, sample[q].Query, sample[q].Passages);
            var topA = Enumerable.Range(0, a.Length).OrderByDescending(i => a[i]).Take(5).ToHashSet();
            var topB = Enumerable.Range(0, b.Length).OrderByDescending(i => b[i]).Take(5);
            overlaps.Add(topB.Count(topA.Contains) / 5.0);
            correlations.Add(Spearman(a, b));
        }

        return (overlaps.Average(), correlations.Average());
    }

    private static float[] ScoreSorted(CrossEncoder encoder, string query, string[] passages)
    {
        var order = Enumerable.Range(0, passages.Length).OrderBy(i => passages[i].Length).ToArray();
        var logits = new float[passages.Length];
        foreach (var slice in order.Chunk(16))
        {
            var scores = encoder.Score(query, slice.Select(i => passages[i]).ToArray());
            for (var j = 0; j < slice.Length; j++)
            {
                logits[slice[j]] = scores[j];
            }
        }

        return logits;
    }

    private static double Spearman(float[] a, float[] b)
    {
        double[] Ranks(float[] values)
        {
            var ranks = new double[values.Length];
            var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
            for (var r = 0; r < order.Length; r++)
            {
                ranks[order[r]] = r;
            }

            return ranks;
        }

        var ra = Ranks(a);
        var rb = Ranks(b);
        var n = a.Length;
        var sum = ra.Zip(rb, (x, y) => (x - y) * (x - y)).Sum();
        return 1 - 6 * sum / (n * ((double)n * n - 1));
    }

    private async Task<(double Stage1Ms, double Stage2Ms, double Fraction)> StageSplit(BenchCluster cluster, SyntheticWorkload workload,
        CrossEncoder encoder, int chunks, IReadOnlyList<(string Query, string[] Passages)> queries)
    {
        const int shards = 4;
        var key = IndexKey.For("bench", $"stage1-{chunks}");
        var replicas = (await cluster.Grains.GetGrain<IIndexGrain>(key).Create(new IndexSettings(shards))).Replicas;
        var tokens = workload.Pool.Take(512).Select(p => encoder.Tokenizer.Tokenize(p).Length).ToArray();
        var random = new Random(chunks);
        var dimension = (await cluster.Service<ModelCatalog>().BiEncoder(null)).Encoder.Dimension;
        // Random unit vectors cost stage 1 exactly what real embeddings do, without hours of embedding.
        var documents = Enumerable.Range(0, chunks).Select(i =>
        {
            var vector = Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            VectorMath.Normalize(vector);
            var id = $"d{i}";
            return new DocumentChunks(id, [new StoredChunk(id, 0, workload.Pool[i % 512], null, tokens[i % 512], vector)]);
        });
        foreach (var group in documents.GroupBy(d => ShardRouter.ShardOf(d.DocumentId, shards)))
        {
            foreach (var slice in group.Chunk(2500))
            {
                await cluster.Grains.GetGrain<IShardGrain>(IndexKey.Shard(key, group.Key)).Upsert(slice, replicas);
            }
        }

        var query = cluster.Grains.GetGrain<IQueryGrain>(0, key);
        var stage1 = new List<double>();
        var stage2 = new List<double>();
        var totals = new List<double>();
        foreach (var (text, _) in queries.Take(6))
        {
            var response = await query.Search(new SearchRequest(text, 5, settings.Candidates));
            stage1.Add(response.Timings.EmbedMs + response.Timings.Stage1Ms);
            stage2.Add(response.Timings.Rerank.TotalMs);
            totals.Add(response.Timings.TotalMs);
        }

        double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stage split {chunks,6} chunks: stage 1 (embed + search) {Median(stage1),7:F1} ms, stage 2 {Median(stage2),7:F1} ms, " +
            $"stage 1 is {Median(stage1) / Median(totals):P1} of the query"));
        return (Median(stage1), Median(stage2), Median(stage1) / Median(totals));
    }

    private void PrintSummary(double peak)
    {
        console.WriteLine();
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cluster c16 vs baseline: {_results["speedup_c16_vs_baseline"]}× throughput, p99 {_results["cluster_c16_p99_ms"]} ms vs {_results["baseline_p99_ms"]} ms"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cluster c16 vs raw ORT on its own batches: {_results["cluster_vs_raw_ort"]}× (padding in formed batches {_results["formed_padding_fraction"]:P0})"));
        foreach (var key in new[] { "int8", "int8_dynamic" })
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{key} vs fp32 (raw ORT, same batches): {_results[$"{key}_speedup"]}× throughput, top-5 agreement " +
                $"{_results[$"{key}_top5_agreement"]:P0} synthetic / {_results[$"{key}_top5_agreement_real"]:P0} real English, " +
                $"Spearman {_results[$"{key}_spearman"]} / {_results[$"{key}_spearman_real"]}"));
        }

        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"achieved GFLOP/s: raw ORT {_results["raw_ort_gflops"]}, cluster {_results["cluster_c16_gflops"]}, baseline {_results["baseline_gflops"]} (measured peak {peak:F0})"));
    }

    private static double Round(double value) => Math.Round(value, 3);
}
