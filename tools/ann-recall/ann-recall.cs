#:project ../../src/Retrieval/Retrieval.csproj
// Recall@50 and speed of the HNSW index (ApproximateVectorIndex) against the exact scan (VectorIndex) on one
// shard's worth of 384-dimension unit vectors (README, "Stage 1: ANN"):
//   dotnet run tools/ann-recall/ann-recall.cs -- [chunks=50000] [queries=200] [expansion-search=512] [expansion-add=128]
// Two sets, seeded: uniform random vectors (HNSW's hardest case) and vectors drawn around 500 centres, as
// sentence embeddings of a corpus cluster by topic. Both indexes are timed side by side in this one run.
using System.Diagnostics;
using RerankCluster.Inference;
using RerankCluster.Retrieval;

var chunks = args.Length > 0 ? int.Parse(args[0]) : 50_000;
var queryCount = args.Length > 1 ? int.Parse(args[1]) : 200;
var expansion = args.Length > 2 ? int.Parse(args[2]) : 512;
var expansionAdd = args.Length > 3 ? int.Parse(args[3]) : 128;
const int dimension = 384, k = 50;
Console.WriteLine($"{chunks} chunks of {dimension} dimensions, {queryCount} queries, k = {k}, HNSW connectivity 16, expansion {expansionAdd} to add, {expansion} to search");

foreach (var (name, make) in new (string, Func<Random, Func<float[]>>)[]
         {
             ("uniform random", random => () => Unit(random, null, 0)),
             ("500 clusters", random =>
             {
                 var centres = Enumerable.Range(0, 500).Select(_ => Unit(random, null, 0)).ToArray();
                 return () => Unit(random, centres[random.Next(centres.Length)], 0.5f);
             }),
         })
{
    var random = new Random(20261205);
    var next = make(random);
    var vectors = Enumerable.Range(0, chunks).Select(_ => next()).ToArray();
    var queries = Enumerable.Range(0, queryCount).Select(_ => next()).ToArray();

    var exact = new VectorIndex<int>(dimension, chunks);
    var build = Stopwatch.StartNew();
    for (var i = 0; i < chunks; i++)
    {
        exact.Upsert(i, vectors[i]);
    }

    var exactBuild = build.Elapsed;
    using var approximate = new ApproximateVectorIndex<int>(dimension, expansionAdd: expansionAdd, expansionSearch: expansion);
    build.Restart();
    for (var i = 0; i < chunks; i++)
    {
        approximate.Upsert(i, vectors[i]);
    }

    var annBuild = build.Elapsed;
    // Warm-up, then the two side by side over the same queries.
    exact.Search(queries[0], k);
    approximate.Search(queries[0], k);
    var truth = new List<HashSet<int>>();
    var clock = Stopwatch.StartNew();
    foreach (var query in queries)
    {
        truth.Add(exact.Search(query, k).Select(h => h.Key).ToHashSet());
    }

    var exactMs = clock.Elapsed.TotalMilliseconds / queries.Length;
    var found = 0;
    clock.Restart();
    var answers = queries.Select(query => approximate.Search(query, k)).ToList();
    var annMs = clock.Elapsed.TotalMilliseconds / queries.Length;
    for (var q = 0; q < queries.Length; q++)
    {
        found += answers[q].Count(h => truth[q].Contains(h.Key));
    }

    Console.WriteLine($"{name}: recall@{k} {(double)found / (k * queries.Length):F4}; exact {exactMs:F2} ms/query, HNSW {annMs:F3} ms/query " +
                      $"({exactMs / annMs:F1}× faster); build: exact {exactBuild.TotalSeconds:F1} s, HNSW {annBuild.TotalSeconds:F1} s");
}

static float[] Unit(Random random, float[]? centre, float spread)
{
    var vector = Enumerable.Range(0, dimension).Select(i => (centre is null ? 0 : centre[i]) + (float)(random.NextDouble() * 2 - 1) * (centre is null ? 1 : spread / MathF.Sqrt(dimension) * 4)).ToArray();
    VectorMath.Normalize(vector);
    return vector;
}
