using System.Numerics.Tensors;
using RerankCluster.Training.Data;

namespace RerankCluster.UnitTests.Training;

[Collection(ModelCollection.Name)]
public sealed class HardNegativeMinerTests(ModelFixture models)
{
    [Fact]
    public void Negatives_come_from_the_top_of_stage_1_and_never_are_the_positive_or_its_twin()
    {
        string[] passages =
        [
            "A tool that compresses files with the gzip algorithm.",
            "A tool that compresses files with the gzip algorithm!",
            "Library for reading and writing ZIP archives.",
            "Utilities for bzip2 compressed archives.",
            "A fast LZ4 compression library and command-line tool.",
            "An archiver that creates tar files.",
            "XZ compression utilities based on LZMA.",
            "A painting program for children.",
            "A chess engine that plays at grandmaster strength.",
            "Fonts for the Tamil script.",
        ];
        var pool = passages.Select((p, i) => (Id: $"d{i}", Text: p)).ToDictionary(p => p.Id, p => p.Text);
        var pair = new TrainingPair("q0", "compress files with gzip", "d0", passages[0]);
        var miner = new HardNegativeMiner(models.BiEncoder, new HardNegativeMiner.Settings(Negatives: 3, Depth: 4));

        var group = Assert.Single(miner.Mine([pair], pool));

        Assert.Equal(3, group.Negatives.Count);
        Assert.DoesNotContain(passages[0], group.Negatives);
        Assert.DoesNotContain(passages[1], group.Negatives); // a near-duplicate of the positive is no negative
        var query = models.BiEncoder.Embed(pair.Query);
        var positive = models.BiEncoder.Embed(passages[0]);
        var expectedPool = passages
            .Where(p => TensorPrimitives.Dot(positive, models.BiEncoder.Embed(p)) < 0.97f)
            .OrderByDescending(p => TensorPrimitives.Dot(query, models.BiEncoder.Embed(p)))
            .Take(4)
            .ToList();
        Assert.All(group.Negatives, n => Assert.Contains(n, expectedPool));
        Assert.DoesNotContain("A painting program for children.", group.Negatives);
    }

    [Fact]
    public void Random_and_long_negatives_come_from_outside_the_query_s_hits_and_are_long()
    {
        var pool = Enumerable.Range(0, 40)
            .Select(i => (Id: $"d{i}", Text: $"Passage {i} tells about topic number {i}. It has a second sentence of its own."))
            .ToDictionary(p => p.Id, p => p.Text);
        var pair = new TrainingPair("q0", "topic number 3", "d3", pool["d3"]);
        var miner = new HardNegativeMiner(models.BiEncoder,
            new HardNegativeMiner.Settings(Negatives: 2, Depth: 4, RandomNegatives: 3, LongNegatives: 2, LongWords: 120));

        var group = Assert.Single(miner.Mine([pair], pool));

        Assert.Equal(2 + 3 + 2, group.Negatives.Count);
        Assert.DoesNotContain(pool["d3"], group.Negatives);
        var hits = group.Negatives.Take(2).ToHashSet();
        Assert.All(group.Negatives.Skip(2).Take(3), n => Assert.True(pool.ContainsValue(n) && !hits.Contains(n)));
        var longOnes = group.Negatives.Skip(5).ToList();
        Assert.All(longOnes, n => Assert.True(n.Split(' ').Length >= 120, $"{n.Split(' ').Length} words"));
        // One runs passages together, the other repeats one sentence; neither holds the positive's text.
        Assert.True(longOnes[0].Split(". ").Distinct().Count() > 2);
        Assert.True(longOnes[1].Split(". ").Distinct().Count() <= 2);
        Assert.All(longOnes, n => Assert.DoesNotContain("Passage 3 tells", n));
    }

    [Fact]
    public void Settings_that_cannot_yield_negatives_are_refused_with_the_option_names()
    {
        var error = Assert.Throws<ArgumentException>(() => new HardNegativeMiner(models.BiEncoder, new HardNegativeMiner.Settings(Negatives: 5, Depth: 2)));
        Assert.Contains("--negative-depth", error.Message);
    }
}
