using RerankCluster.Retrieval;

namespace RerankCluster.UnitTests;

public sealed class VectorSearchTests
{
    [Fact]
    public void Index_search_equals_a_full_sort()
    {
        var random = new Random(7);
        var index = new VectorIndex<int>(37, initialCapacity: 4);
        var vectors = Enumerable.Range(0, 500).Select(_ => RandomVectors.Unit(random, 37)).ToArray();
        for (var i = 0; i < vectors.Length; i++)
        {
            index.Upsert(i, vectors[i]);
        }

        var query = RandomVectors.Unit(random, 37);
        var expected = Enumerable.Range(0, vectors.Length)
            .Select(i => (i, score: vectors[i].Zip(query, (a, b) => (double)a * b).Sum()))
            .OrderByDescending(x => x.score).Take(25).ToArray();
        var actual = index.Search(query, 25);
        Assert.Equal(expected.Select(e => e.i), actual.Select(a => a.Key));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].score, actual[i].Score, 1e-5);
        }
    }

    [Fact]
    public void Removing_and_replacing_keeps_the_index_consistent()
    {
        var random = new Random(3);
        var index = new VectorIndex<string>(8);
        var vectors = Enumerable.Range(0, 20).ToDictionary(i => $"k{i}", _ => RandomVectors.Unit(random, 8));
        foreach (var (key, vector) in vectors)
        {
            index.Upsert(key, vector);
        }

        Assert.True(index.Remove("k0"));
        Assert.False(index.Remove("k0"));
        index.Upsert("k5", vectors["k7"]);
        Assert.Equal(19, index.Count);

        // Searching with k7's vector must find k7 and the replaced k5 at the top, never the removed k0.
        var top = index.Search(vectors["k7"], 19);
        Assert.Equal(new[] { "k5", "k7" }, top.Take(2).Select(t => t.Key).Order());
        Assert.DoesNotContain(top, t => t.Key == "k0");
        Assert.Equal(19, top.Select(t => t.Key).Distinct().Count());
    }

    [Fact]
    public void Wrong_dimension_is_refused()
    {
        var index = new VectorIndex<int>(4);
        Assert.Throws<ArgumentException>(() => index.Upsert(1, new float[3]));
        Assert.Throws<ArgumentException>(() => index.Search(new float[5], 1));
    }

    [Fact]
    public void Top_k_keeps_the_best_in_order_and_ignores_nan()
    {
        var top = new TopK<string>(3);
        foreach (var (item, score) in new[] { ("a", 0.1f), ("b", 0.9f), ("c", float.NaN), ("d", 0.5f), ("e", 0.7f), ("f", -1f) })
        {
            top.Offer(item, score);
        }

        Assert.Equal(["b", "e", "d"], top.Drain().Select(x => x.Item));
        Assert.Empty(new TopK<int>(0).Drain());
    }

    [Fact]
    public void Merger_takes_the_global_best_with_stable_ties()
    {
        var shardA = new[] { ("a1", 0.9f), ("a2", 0.5f) };
        var shardB = new[] { ("b1", 0.7f), ("b2", 0.5f), ("b3", 0.1f) };
        var merged = CandidateMerger.Merge([shardB, shardA], 4, x => x.Item2, x => x.Item1);
        Assert.Equal(["a1", "b1", "a2", "b2"], merged.Select(x => x.Item1));
    }

    [Fact]
    public void Shard_assignment_is_stable_and_spread()
    {
        // Pinned values: the assignment must never change between versions or processes.
        Assert.Equal(ShardRouter.ShardOf("doc-42", 8), ShardRouter.ShardOf("doc-42", 8));
        var counts = new int[4];
        for (var i = 0; i < 4000; i++)
        {
            counts[ShardRouter.ShardOf($"document-{i}", 4)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardRouter.ShardOf("x", 0));
    }
}
