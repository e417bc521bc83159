#:project ../../src/Grains/Grains.csproj
#:project ../../src/Evaluation/Evaluation.csproj
// What a shard's activation costs to rebuild its in-memory indexes from the stored chunks (README, "Stage 1"):
//   dotnet run tools/lexical-rebuild/lexical-rebuild.cs -- data/debian [chunks=50000] [queries=200]
// The corpus's texts are repeated (ids suffixed) up to the chunk count; embeddings are random unit vectors of
// all-MiniLM's 384 dimensions (the vector index's cost does not depend on their values).
using System.Diagnostics;
using RerankCluster.Evaluation;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Sharding;
using RerankCluster.Retrieval;

var dataset = args.Length > 0 ? args[0] : "data/debian";
var chunks = args.Length > 1 ? int.Parse(args[1]) : 50_000;
var queryCount = args.Length > 2 ? int.Parse(args[2]) : 200;
var data = BeirDataset.Load(dataset);
var texts = data.ReadCorpus().Select(r => r.IndexedText).ToList();
var random = new Random(1);
var stored = Enumerable.Range(0, chunks).Select(i =>
{
    var id = $"doc-{i}";
    var vector = Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
    var norm = MathF.Sqrt(vector.Sum(x => x * x));
    return new DocumentChunks(id, [new StoredChunk(id, 0, texts[i % texts.Count], null, 64, vector.Select(x => x / norm).ToArray())]);
}).ToList();
var queries = data.Queries.Take(queryCount).Select(q => q.Text).ToList();
Console.WriteLine($"{chunks} chunks ({texts.Count} distinct texts, {stored.Sum(d => (long)d.Chunks[0].Text.Length) / chunks} characters on average), {queries.Count} queries");

// Warm-up: JIT and Lucene's static state, so the timings below are the steady state a silo sees.
using (var warm = new LexicalIndex())
{
    foreach (var document in stored.Take(2000))
    {
        warm.Add(document.DocumentId, [(0, document.Chunks[0].Text)]);
    }

    warm.Search(queries[0], 50);
}

for (var run = 1; run <= 2; run++)
{
    GC.Collect();
    var before = GC.GetTotalMemory(true);
    var clock = Stopwatch.StartNew();
    using var lexical = new LexicalIndex();
    foreach (var document in stored)
    {
        lexical.Add(document.DocumentId, [(0, document.Chunks[0].Text)]);
    }

    var addSeconds = clock.Elapsed.TotalSeconds;
    clock.Restart();
    lexical.Search(queries[0], 50);
    var firstSearchMs = clock.Elapsed.TotalMilliseconds;
    var lexicalBytes = GC.GetTotalMemory(true) - before;

    clock.Restart();
    using var contents = new ShardContents();
    contents.Upsert(stored);
    contents.Search(new ShardQuery(50, null, queries[0]));
    var shardSeconds = clock.Elapsed.TotalSeconds;

    var statistics = LexicalCountsMapping.ToCounts(LexicalStatistics.Sum([lexical.Statistics(queries[0])]));
    var latencies = new List<double>();
    var withCounts = new List<double>();
    foreach (var query in queries)
    {
        clock.Restart();
        lexical.Search(query, 50);
        latencies.Add(clock.Elapsed.TotalMilliseconds);
        clock.Restart();
        contents.LexicalStatistics(query);
        contents.Search(new ShardQuery(50, null, query, statistics));
        withCounts.Add(clock.Elapsed.TotalMilliseconds);
    }

    latencies.Sort();
    withCounts.Sort();
    Console.WriteLine($"run {run}: BM25 index of {chunks} chunks built in {addSeconds:F2} s, first search (NRT reopen) {firstSearchMs:F0} ms, " +
                      $"~{lexicalBytes / 1048576.0:F0} MiB managed; ShardContents rebuild (vector + BM25, as a shard's load) {shardSeconds:F2} s; " +
                      $"BM25 top 50: p50 {latencies[latencies.Count / 2]:F2} ms, p99 {latencies[(int)(latencies.Count * 0.99)]:F2} ms; " +
                      $"shard counts + search with counts: p50 {withCounts[withCounts.Count / 2]:F2} ms");
}
