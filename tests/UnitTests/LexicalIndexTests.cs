using RerankCluster.Retrieval;

namespace RerankCluster.UnitTests;

public sealed class LexicalIndexTests
{
    // Words EnglishAnalyzer keeps one token each (no stop words, no two sharing a stem), so counting words is counting terms.
    private static readonly (string Id, string Text)[] Corpus =
    [
        ("a", "kernel panic kernel driver"),
        ("b", "network driver timeout"),
        ("c", "kernel memory"),
        ("d", "disk error disk error disk error timeout network socket"),
        ("e", "socket timeout"),
    ];

    private static LexicalIndex Index(IEnumerable<(string Id, string Text)> documents)
    {
        var index = new LexicalIndex();
        foreach (var (id, text) in documents)
        {
            index.Add(id, [(0, text)]);
        }

        return index;
    }

    [Theory]
    [InlineData("kernel driver")]
    [InlineData("timeout")]
    [InlineData("disk socket network")]
    [InlineData("kernel kernel memory")]
    public void Bm25_scores_equal_the_formula_computed_independently(string query)
    {
        using var index = Index(Corpus);

        var hits = index.Search(query, 10);

        var expected = Bm25(Corpus, query.Split(' ')).Where(e => e.Score > 0).OrderByDescending(e => e.Score).ToList();
        Assert.Equal(expected.Select(e => e.Id), hits.Select(h => h.Key.DocumentId));
        foreach (var (hit, want) in hits.Zip(expected))
        {
            Assert.Equal(want.Score, hit.Score, want.Score * 1e-5);
        }
    }

    [Fact]
    public void Shards_scored_with_their_summed_counts_score_as_one_index_over_everything()
    {
        const string query = "kernel timeout socket";
        using var whole = Index(Corpus);
        using var left = Index(Corpus[..2]);
        using var right = Index(Corpus[2..]);

        var counts = LexicalStatistics.Sum([left.Statistics(query), right.Statistics(query)]);
        var merged = left.Search(query, 10, counts).Concat(right.Search(query, 10, counts)).OrderByDescending(h => h.Score).ToList();
        var expected = whole.Search(query, 10);

        Assert.Equal(expected.Select(h => h.Key), merged.Select(h => h.Key));
        Assert.Equal(expected.Select(h => h.Score), merged.Select(h => h.Score));
        // Each shard's own counts give other scores: that is why the shards' counts are summed.
        Assert.NotEqual(expected.Single(h => h.Key.DocumentId == "a").Score, left.Search(query, 10).Single(h => h.Key.DocumentId == "a").Score);
    }

    [Fact]
    public void Identifiers_stay_whole_and_query_syntax_is_plain_text()
    {
        using var index = Index([("codes", "sync stops with ERR_7731 on read-only mounts"), ("other", "sync stops with ERR_7713")]);

        Assert.Equal(["codes"], index.Search("ERR_7731", 5).Select(h => h.Key.DocumentId));
        Assert.Equal(["codes", "other"], index.Search("stops: (ERR_7731 AND \"", 5).Select(h => h.Key.DocumentId));
        Assert.Empty(index.Search("the and of", 5));
        Assert.Empty(index.Search("kernel", 0));
    }

    [Fact]
    public void An_empty_index_answers_nothing_and_counts_nothing()
    {
        using var index = new LexicalIndex();

        Assert.Empty(index.Search("kernel", 5));
        var counts = index.Statistics("kernel");
        Assert.Equal(0, counts.Documents);
        Assert.Equal(0, counts.Terms["kernel"].DocumentFrequency);
    }

    /// <summary>
    /// Lucene 4.8's BM25 (k1 = 1.2, b = 0.75) from its definition: idf = ln(1 + (N − n + 0.5) / (n + 0.5)) with N the
    /// documents, avgdl = tokens / N, and each document's length as its norm stores it: 1/√len in Lucene's
    /// 8-bit float (3 mantissa bits, exponent bias 15), decoded as 1 / f².
    /// </summary>
    private static List<(string Id, float Score)> Bm25((string Id, string Text)[] corpus, string[] query)
    {
        const double k1 = 1.2, b = 0.75;
        var documents = corpus.Select(d => (d.Id, Words: d.Text.Split(' '))).ToList();
        double n = documents.Count;
        var averageLength = documents.Sum(d => d.Words.Length) / n;
        return documents.Select(d =>
        {
            var length = DecodeLength(EncodeLength(d.Words.Length));
            var score = 0.0;
            foreach (var term in query)
            {
                var documentFrequency = documents.Count(o => o.Words.Contains(term));
                var idf = Math.Log(1 + (n - documentFrequency + 0.5) / (documentFrequency + 0.5));
                double tf = d.Words.Count(w => w == term);
                score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / averageLength));
            }

            return (d.Id, (float)score);
        }).ToList();
    }

    private static byte EncodeLength(int length)
    {
        var bits = BitConverter.SingleToInt32Bits((float)(1 / Math.Sqrt(length)));
        var small = bits >> (24 - 3);
        const int zero = (63 - 15) << 3;
        return small <= zero ? (byte)(bits <= 0 ? 0 : 1) : small >= zero + 0x100 ? (byte)255 : (byte)(small - zero);
    }

    private static double DecodeLength(byte encoded)
    {
        var f = BitConverter.Int32BitsToSingle((encoded << (24 - 3)) + ((63 - 15) << 24));
        return 1 / (f * f);
    }
}
