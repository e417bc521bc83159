using RerankCluster.Retrieval;

namespace RerankCluster.UnitTests;

/// <summary>The HNSW index against a brute-force scan of the same seeded random vectors.</summary>
public sealed class ApproximateVectorIndexTests
{
    private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();

    [Fact]
    public void Results_are_true_neighbours_with_their_exact_scores_and_recall_is_high()
    {
        var random = new Random(11);
        const int dimension = 48;
        var vectors = Enumerable.Range(0, 4000).Select(_ => RandomVectors.Unit(random, dimension)).ToArray();
        using var index = new ApproximateVectorIndex<int>(dimension);
        for (var i = 0; i < vectors.Length; i++)
        {
            index.Upsert(i, vectors[i]);
        }

        var found = 0;
        const int queries = 50, k = 20;
        for (var q = 0; q < queries; q++)
        {
            var query = RandomVectors.Unit(random, dimension);
            var exact = Enumerable.Range(0, vectors.Length).OrderByDescending(i => Dot(vectors[i], query)).Take(k).ToHashSet();
            var approximate = index.Search(query, k);
            Assert.Equal(k, approximate.Count);
            foreach (var (key, score) in approximate)
            {
                Assert.Equal(Dot(vectors[key], query), score, 1e-4);
            }

            Assert.Equal(approximate.Select(h => h.Score).OrderByDescending(s => s), approximate.Select(h => h.Score));
            found += approximate.Count(h => exact.Contains(h.Key));
        }

        // Random vectors in 48 dimensions are HNSW's hard case; real embeddings cluster and do better.
        Assert.InRange((double)found / (queries * k), 0.9, 1.0);
    }

    [Fact]
    public void Removed_keys_are_never_returned_and_replaced_keys_score_their_new_vector()
    {
        var random = new Random(5);
        using var index = new ApproximateVectorIndex<string>(16);
        var vectors = Enumerable.Range(0, 300).ToDictionary(i => $"k{i}", _ => RandomVectors.Unit(random, 16));
        foreach (var (key, vector) in vectors)
        {
            index.Upsert(key, vector);
        }

        var query = RandomVectors.Unit(random, 16);
        var best = index.Search(query, 1)[0].Key;
        Assert.True(index.Remove(best));
        Assert.False(index.Remove(best));
        Assert.Equal(299, index.Count);
        Assert.DoesNotContain(best, index.Search(query, 300).Select(h => h.Key));

        // Replaced by the query itself: it must come first, scoring 1.
        index.Upsert("k7", query);
        Assert.Equal(299, index.Count);
        var top = index.Search(query, 1)[0];
        Assert.Equal("k7", top.Key);
        Assert.Equal(1, top.Score, 1e-5);
        Assert.Throws<ArgumentException>(() => index.Search(new float[15], 1));
    }
}
