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

    [Fact]
    public void The_lexical_index_follows_upserts_replacements_and_deletes()
    {
        using var shard = new ShardContents();
        StoredChunk Text(string doc, int index, string text) => new(doc, index, text, null, 3, [1, 0]);
        string[] Found(string query) => shard.Search(new ShardQuery(10, null, query)).Lexical.Select(h => $"{h.DocumentId}#{h.ChunkIndex}").ToArray();

        shard.Upsert([
            new DocumentChunks("a", [Text("a", 0, "zebra crossing"), Text("a", 1, "yak shaving")]),
            new DocumentChunks("b", [Text("b", 0, "zebra stripes")]),
        ]);
        Assert.Equal(["a#1"], Found("yak"));
        Assert.Equal(2, Found("zebra").Length);

        // Replaced as a whole: the old second chunk's words are gone, the new text is found.
        shard.Upsert([new DocumentChunks("a", [Text("a", 0, "walrus tusks")])]);
        Assert.Empty(Found("yak"));
        Assert.Equal(["b#0"], Found("zebra"));
        Assert.Equal(["a#0"], Found("walrus"));

        Assert.True(shard.Remove("b"));
        Assert.Empty(Found("zebra"));
        Assert.Equal(["a#0"], Found("walrus tusks zebra"));

        shard.Clear();
        Assert.Empty(Found("walrus"));
        Assert.Empty(shard.Search(new ShardQuery(10, [1, 0], "walrus")).Dense);
    }

    [Fact]
    public void A_lexical_only_query_returns_no_dense_list_and_a_dense_only_query_no_lexical_one()
    {
        using var shard = new ShardContents();
        shard.Upsert([new DocumentChunks("a", [new StoredChunk("a", 0, "zebra crossing", null, 3, [1, 0])])]);

        var lexical = shard.Search(new ShardQuery(5, null, "zebra"));
        var dense = shard.Search(new ShardQuery(5, [1, 0]));

        Assert.Empty(lexical.Dense);
        Assert.Equal("a", Assert.Single(lexical.Lexical).DocumentId);
        Assert.Empty(dense.Lexical);
        Assert.Equal(1f, Assert.Single(dense.Dense).Score, 1e-6f);
    }
}
