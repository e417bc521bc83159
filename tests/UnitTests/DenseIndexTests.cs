using RerankCluster.Inference;
using RerankCluster.Retrieval;

namespace RerankCluster.UnitTests;

/// <summary>The exact-then-graph dense index against an exact scan of the same final vectors.</summary>
public sealed class DenseIndexTests
{
    private const int Dimension = 64;

    /// <summary>Around 40 centres, as a corpus's embeddings cluster by topic.</summary>
    private static Func<float[]> Clustered(Random random)
    {
        var centres = Enumerable.Range(0, 40).Select(_ => Unit(random, null)).ToArray();
        return () => Unit(random, centres[random.Next(centres.Length)]);
    }

    private static float[] Unit(Random random, float[]? centre)
    {
        var vector = Enumerable.Range(0, Dimension).Select(i => (centre?[i] ?? 0) + (float)(random.NextDouble() * 2 - 1) * (centre is null ? 1 : 0.15f)).ToArray();
        VectorMath.Normalize(vector);
        return vector;
    }

    [Fact]
    public async Task Past_the_threshold_a_graph_is_built_aside_and_catches_up_with_the_writes_made_meanwhile()
    {
        var random = new Random(3);
        var next = Clustered(random);
        using var index = new DenseIndex<int>(Dimension, approximateFrom: 3000, expansionSearch: 256);
        var final = new Dictionary<int, float[]>();
        for (var i = 0; i < 2999; i++)
        {
            index.Upsert(i, final[i] = next());
        }

        Assert.Null(index.Building);
        Assert.False(index.IsApproximate);
        index.Upsert(2999, final[2999] = next());
        Assert.NotNull(index.Building);

        // Writes while the graph builds (it takes a while for 3,000 vectors): new keys, removals, replacements.
        for (var i = 3000; i < 3100; i++)
        {
            index.Upsert(i, final[i] = next());
        }

        for (var i = 0; i < 100; i++)
        {
            Assert.True(index.Remove(i));
            final.Remove(i);
        }

        for (var i = 100; i < 150; i++)
        {
            index.Upsert(i, final[i] = next());
        }

        await index.Building!;
        Assert.True(index.IsApproximate);
        var exact = new VectorIndex<int>(Dimension);
        foreach (var (key, vector) in final)
        {
            exact.Upsert(key, vector);
        }

        Assert.Equal(final.Count, index.Count);
        // Every write made during the build is in the graph: each key's own vector finds it first, and no removed key is found.
        foreach (var key in new[] { 3000, 3050, 3099, 100, 149 })
        {
            var top = index.Search(final[key], 1)[0];
            Assert.Equal(key, top.Key);
            Assert.Equal(1, top.Score, 1e-4);
        }

        var found = 0;
        for (var q = 0; q < 30; q++)
        {
            var query = next();
            var approximate = index.Search(query, 20);
            Assert.All(approximate, hit => Assert.True(final.ContainsKey(hit.Key), $"removed key {hit.Key} returned"));
            found += approximate.Select(h => h.Key).Intersect(exact.Search(query, 20).Select(h => h.Key)).Count();

            // Filtered searches scan exactly: the same answer as the exact index.
            Func<int, bool> even = key => key % 2 == 0;
            Assert.Equal(exact.Search(query, 20, even).Select(h => h.Key), index.Search(query, 20, even).Select(h => h.Key));
        }

        Assert.InRange(found / (30.0 * 20), 0.9, 1.0);
    }

    [Fact]
    public void With_no_threshold_it_stays_exact()
    {
        var random = new Random(4);
        using var index = new DenseIndex<int>(Dimension, approximateFrom: 0, expansionSearch: 256);
        for (var i = 0; i < 500; i++)
        {
            index.Upsert(i, Unit(random, null));
        }

        Assert.Null(index.Building);
        Assert.False(index.IsApproximate);
    }
}
