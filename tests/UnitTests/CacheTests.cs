using RerankCluster.Grains.Caching;

namespace RerankCluster.UnitTests;

public sealed class CacheTests
{
    [Fact]
    public void Least_recently_used_entries_leave_first()
    {
        var cache = new BoundedLruCache<string, int>(2);
        cache.Set("a", 1);
        cache.Set("b", 2);
        Assert.True(cache.TryGet("a", out _)); // a is now the most recent
        cache.Set("c", 3);

        Assert.Equal(2, cache.Count);
        Assert.False(cache.TryGet("b", out _));
        Assert.True(cache.TryGet("a", out var a) && a == 1);
        Assert.True(cache.TryGet("c", out var c) && c == 3);
        cache.Set("c", 4);
        Assert.True(cache.TryGet("c", out var updated) && updated == 4);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Capacity_zero_keeps_nothing()
    {
        var cache = new BoundedLruCache<int, int>(0);
        cache.Set(1, 1);
        Assert.False(cache.TryGet(1, out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Scores_are_keyed_by_model_query_and_passage()
    {
        var cache = new InferenceCache(Microsoft.Extensions.Options.Options.Create(new CacheOptions()));
        var (_, keys) = cache.Scores("model-a", "query", ["p1", "p2"]);
        cache.StoreScore(keys[0], 1.5f);

        var (again, _) = cache.Scores("model-a", "query", ["p1", "p2"]);
        Assert.Equal(1.5f, again[0]);
        Assert.True(float.IsNaN(again[1]));
        Assert.True(float.IsNaN(cache.Scores("model-b", "query", ["p1"]).Logits[0]));
        Assert.True(float.IsNaN(cache.Scores("model-a", "other query", ["p1"]).Logits[0]));
        // Moving text between the query and the passage must not reuse a score.
        Assert.True(float.IsNaN(cache.Scores("model-a", "queryp", ["1"]).Logits[0]));

        var calls = 0;
        var vector = await cache.QueryEmbedding("bi", "q", _ => { calls++; return Task.FromResult<float[]>([1f]); });
        Assert.Same(vector, await cache.QueryEmbedding("bi", "q", _ => { calls++; return Task.FromResult<float[]>([2f]); }));
        Assert.Equal(1, calls);
    }
}
