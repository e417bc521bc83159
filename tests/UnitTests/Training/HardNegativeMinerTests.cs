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
            .Where(p => RerankCluster.Inference.VectorMath.Dot(positive, models.BiEncoder.Embed(p)) < 0.97f)
            .OrderByDescending(p => RerankCluster.Inference.VectorMath.Dot(query, models.BiEncoder.Embed(p)))
            .Take(4)
            .ToList();
        Assert.All(group.Negatives, n => Assert.Contains(n, expectedPool));
        Assert.DoesNotContain("A painting program for children.", group.Negatives);
    }

    [Fact]
    public void Settings_that_cannot_yield_negatives_are_refused_with_the_option_names()
    {
        var error = Assert.Throws<ArgumentException>(() => new HardNegativeMiner(models.BiEncoder, new HardNegativeMiner.Settings(Negatives: 5, Depth: 2)));
        Assert.Contains("--negative-depth", error.Message);
    }
}
