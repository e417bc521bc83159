using RerankCluster.Grains.Caching;

namespace RerankCluster.UnitTests;

public sealed class CacheTests
{
    [Fact]
    public void A_cache_keeps_at_most_its_capacity_and_the_entries_read_again_stay()
    {
        const int capacity = 30;
        var cache = new InferenceCache(Microsoft.Extensions.Options.Options.Create(new CacheOptions { Scores = capacity }));
        var (_, favourite) = cache.Scores("model", "query", ["read often"]);
        cache.StoreScore(favourite[0], 7f);
        var keys = cache.Scores("model", "query", Enumerable.Range(0, 1000).Select(i => $"passage {i}").ToList()).Keys;
        foreach (var (key, i) in keys.Select((key, i) => (key, i)))
        {
            cache.StoreScore(key, i);
            // Read between writes, the first entry counts as recently used and is never the one evicted.
            Assert.Equal(7f, cache.Scores("model", "query", ["read often"]).Logits[0]);
        }

        var kept = cache.Scores("model", "query", Enumerable.Range(0, 1000).Select(i => $"passage {i}").ToList()).Logits;
        Assert.InRange(kept.Count(logit => !float.IsNaN(logit)), 1, capacity - 1);
        Assert.All(kept.Select((logit, i) => (logit, i)).Where(p => !float.IsNaN(p.logit)), p => Assert.Equal(p.i, p.logit));
    }

    [Fact]
    public async Task Capacity_zero_keeps_nothing()
    {
        var cache = new InferenceCache(Microsoft.Extensions.Options.Options.Create(new CacheOptions { Scores = 0, QueryEmbeddings = 0 }));
        var (_, keys) = cache.Scores("model", "query", ["p"]);
        cache.StoreScore(keys[0], 1f);
        Assert.True(float.IsNaN(cache.Scores("model", "query", ["p"]).Logits[0]));
        var calls = 0;
        await cache.QueryEmbedding("bi", "q", _ => { calls++; return Task.FromResult<float[]>([1f]); });
        await cache.QueryEmbedding("bi", "q", _ => { calls++; return Task.FromResult<float[]>([1f]); });
        Assert.Equal(2, calls);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(2)]
    public void A_capacity_the_cache_cannot_hold_is_refused_naming_the_setting(int capacity)
    {
        var problems = new CacheOptionsValidator().Problems(new CacheOptions { Scores = capacity });
        Assert.Contains(problems, p => p.StartsWith("Cache:Scores must be 0 (off) or between 3", StringComparison.Ordinal));
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
