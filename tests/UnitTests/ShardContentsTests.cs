using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Sharding;

namespace RerankCluster.UnitTests;

public sealed class ShardContentsTests
{
    private static StoredChunk Chunk(string doc, int index, params float[] embedding) => new(doc, index, $"{doc}#{index}", null, 3, embedding);

    private static ShardHit[] Dense(ShardContents shard, float[] query, int k) => shard.Search(new ShardQuery(k, query)).Dense;

    [Fact]
    public void Reupsert_replaces_all_chunks_of_a_document()
    {
        using var shard = new ShardContents();
        shard.Upsert([new DocumentChunks("a", [Chunk("a", 0, 1, 0), Chunk("a", 1, 0, 1)])]);
        var replaced = shard.Upsert([new DocumentChunks("a", [Chunk("a", 0, 0.6f, 0.8f)])]);

        Assert.Equal(1, replaced);
        Assert.Equal(1, shard.Chunks);
        var hits = Dense(shard, [0, 1], 10);
        Assert.Single(hits);
        Assert.Equal(0.8f, hits[0].Score, 1e-6f);
    }

    [Fact]
    public void Remove_forgets_a_document_and_search_handles_empty_shards()
    {
        using var shard = new ShardContents();
        Assert.Empty(Dense(shard, [1, 0], 5));
        shard.Upsert([new DocumentChunks("a", [Chunk("a", 0, 1, 0)]), new DocumentChunks("b", [Chunk("b", 0, 0, 1)])]);
        Assert.True(shard.Remove("a"));
        Assert.False(shard.Remove("a"));
        Assert.Equal(["b"], Dense(shard, [1, 0], 5).Select(h => h.DocumentId));
        var error = Assert.Throws<ArgumentException>(() => Dense(shard, [1, 0, 0], 5));
        Assert.Contains("dimensions", error.Message);
    }
}
