using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Querying;
using RerankCluster.Grains.Sharding;
using RerankCluster.Retrieval;

namespace RerankCluster.UnitTests;

public sealed class Stage1MergeTests
{
    private const int Dimension = 8;

    private static readonly string[] Vocabulary =
    [
        "kernel", "panic", "driver", "network", "socket", "timeout", "disk", "error", "memory", "cache", "mount", "daemon", "backup",
        "printer", "queue", "firewall", "route", "packet", "tunnel", "cipher", "certificate", "token", "session", "cookie",
    ];

    /// <summary>A seeded corpus: texts of 3–14 words from a small vocabulary (so terms repeat across documents), random unit embeddings.</summary>
    private static List<DocumentChunks> Corpus()
    {
        var random = new Random(16);
        return Enumerable.Range(0, 90).Select(i =>
        {
            var id = $"doc-{i}";
            var chunks = Enumerable.Range(0, 1 + i % 2).Select(c =>
            {
                var text = string.Join(' ', Enumerable.Range(0, random.Next(3, 15)).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]));
                return new StoredChunk(id, c, text, null, 10, UnitVector(random));
            }).ToArray();
            return new DocumentChunks(id, chunks);
        }).ToList();
    }

    private static float[] UnitVector(Random random)
    {
        var v = Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    /// <summary>What the query grain does: sum the shards' BM25 counts, search every shard with them, merge.</summary>
    private static List<ShardHit> Search(IReadOnlyList<ShardContents> shards, string text, float[] embedding, Stage1Plan plan, int depth)
    {
        var counts = LexicalCountsMapping.ToCounts(LexicalStatistics.Sum(shards.Select(s => LexicalCountsMapping.ToStatistics(s.LexicalStatistics(text)))));
        var query = new ShardQuery(depth, embedding, text, counts);
        return Stage1Merge.Merge(shards.Select(s => s.Search(query)).ToList(), plan, depth);
    }

    private static ShardContents[] Shards(IReadOnlyList<DocumentChunks> corpus, int count)
    {
        var shards = Enumerable.Range(0, count).Select(_ => new ShardContents()).ToArray();
        foreach (var document in corpus)
        {
            shards[ShardRouter.ShardOf(document.DocumentId, count)].Upsert([document]);
        }

        return shards;
    }

    public static TheoryData<Stage1Mode, Stage1Fusion?> Modes => new()
    {
        { Stage1Mode.Hybrid, Stage1Fusion.Rrf },
        { Stage1Mode.Hybrid, Stage1Fusion.Linear },
        { Stage1Mode.Lexical, null },
        { Stage1Mode.Dense, null },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_merge_over_three_shards_equals_the_single_shard_result(Stage1Mode mode, Stage1Fusion? fusion)
    {
        var corpus = Corpus();
        var one = Shards(corpus, 1);
        var three = Shards(corpus, 3);
        Assert.All(three, shard => Assert.InRange(shard.Documents, 1, corpus.Count - 1));
        var plan = new Stage1Plan(mode, fusion, 60, 0.4);
        var random = new Random(7);

        try
        {
            foreach (var text in new[] { "kernel panic", "socket timeout firewall", "certificate cipher token session", "printer" })
            {
                var embedding = UnitVector(random);
                var single = Search(one, text, embedding, plan, 12);
                var merged = Search(three, text, embedding, plan, 12);

                Assert.Equal(12, single.Count);
                Assert.Equal(single.Select(h => (h.DocumentId, h.ChunkIndex)), merged.Select(h => (h.DocumentId, h.ChunkIndex)));
                Assert.Equal(single.Select(h => h.Score), merged.Select(h => h.Score));
            }
        }
        finally
        {
            foreach (var shard in one.Concat(three))
            {
                shard.Dispose();
            }
        }
    }

    [Fact]
    public void Hybrid_keeps_what_only_one_list_found_and_ranks_what_both_found_first()
    {
        // Lexical hits are "zebra" texts; the dense query points at "b" and "c".
        using var shard = new ShardContents();
        shard.Upsert([
            new DocumentChunks("a", [new StoredChunk("a", 0, "zebra zebra crossing", null, 3, [0, 1])]),
            new DocumentChunks("b", [new StoredChunk("b", 0, "zebra stripes", null, 3, [1, 0])]),
            new DocumentChunks("c", [new StoredChunk("c", 0, "plain horse", null, 3, [0.8f, 0.6f])]),
        ]);

        var hits = Search([shard], "zebra", [1, 0], new Stage1Plan(Stage1Mode.Hybrid, Stage1Fusion.Rrf, 60, 0.5), 3);

        // b: dense 1, lexical 2 → 1/61 + 1/62; a: lexical 1, dense 3 → 1/61 + 1/63; c: dense 2 only → 1/62.
        Assert.Equal(["b", "a", "c"], hits.Select(h => h.DocumentId));
        Assert.Equal((float)(1.0 / 61 + 1.0 / 62), hits[0].Score, 1e-7f);
        Assert.Equal((float)(1.0 / 62), hits[2].Score, 1e-7f);
    }
}
