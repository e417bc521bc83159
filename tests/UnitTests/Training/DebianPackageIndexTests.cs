using RerankCluster.Evaluation;
using RerankCluster.Training.Data;
using RerankCluster.Training.DebianPackages;

namespace RerankCluster.UnitTests.Training;

public sealed class DebianPackageIndexTests
{
    private const string Packages = """
        Package: foo-utils
        Source: foo (1.2-3)
        Version: 1.2-3+b1
        Description: tools to frobnicate foo files

        Package: foo
        Version: 1.2-3
        Description: the foo frobnicator

        Package: lonely
        Description: a package without prose

        """;

    private const string Translations = """
        Package: foo-utils
        Description-md5: 0
        Description-en: tools to frobnicate foo files
         Foo is a frobnicator for the foo file format, used by many
         programs.
         .
         This package contains:
          * foo-check, which checks files;
          * foo-fix, which repairs them.

        Package: foo
        Description-md5: 1
        Description-en: the foo frobnicator
         Foo is a frobnicator for the foo file format, used by many programs and
         loved by all.

        """;

    [Fact]
    public void Packages_and_translations_join_into_summary_source_and_clean_prose()
    {
        var packages = DebianPackageIndex.Load([new StringReader(Packages), new StringReader(Translations)]);

        Assert.Equal(["foo", "foo-utils"], packages.Select(p => p.Name));
        var utils = packages.Single(p => p.Name == "foo-utils");
        Assert.Equal("foo", utils.Source);
        Assert.Equal("tools to frobnicate foo files", utils.Summary);
        Assert.Equal("Foo is a frobnicator for the foo file format, used by many programs.\n" +
                     "This package contains: foo-check, which checks files; foo-fix, which repairs them.", utils.LongDescription);
        Assert.Equal("foo", packages.Single(p => p.Name == "foo").Source);
    }

    [Fact]
    public void One_package_per_source_no_repeated_opening_paragraph_and_a_fixed_held_out_split()
    {
        var directory = Directory.CreateTempSubdirectory("debian-dataset").FullName;
        var sample = Path.Combine(AppContext.BaseDirectory, "Training", "debian-sample");
        var packages = DebianPackageIndex.Load([new StreamReader(Path.Combine(sample, "Packages")), new StreamReader(Path.Combine(sample, "Translation-en"))]);
        var withTwin = packages.Append(packages[0] with { Name = packages[0].Name + "-twin", Source = "other-source", Summary = "a different summary" }).ToList();

        var report = PackageDatasetBuilder.Build(withTwin, directory, new PackageDatasetBuilder.Settings(TestFraction: 0.2));

        var train = BeirDataset.Load(directory, "train");
        var test = BeirDataset.Load(directory, "test");
        var corpus = train.ReadCorpus().ToDictionary(d => d.Id);
        Assert.Equal(report.Kept, corpus.Count);
        Assert.Equal(report.Train + report.Test, report.Kept);
        Assert.True(report.DroppedDuplicate >= 1, "the twin with the same opening paragraph must be dropped");
        Assert.DoesNotContain(packages[0].Name + "-twin", corpus.Keys);
        var sources = packages.ToDictionary(p => p.Name, p => p.Source);
        Assert.Equal(corpus.Count, corpus.Keys.Select(id => sources[id]).Distinct().Count());
        Assert.NotEmpty(test.Queries);
        Assert.Empty(train.Queries.Select(q => q.Id).Intersect(test.Queries.Select(q => q.Id)));
        foreach (var query in test.Queries)
        {
            var document = test.Qrels.For(query.Id).Single().Key;
            Assert.True(HeldOutSplit.IsHeldOut(sources[document], 0.2));
            Assert.Equal(packages.Single(p => p.Name == document).Summary, query.Text);
        }

        var training = TrainingPairs.Load(directory);
        var heldOutDocuments = test.Queries.Select(q => test.Qrels.For(q.Id).Single().Key).ToHashSet();
        Assert.Equal(report.Train, training.Pairs.Count);
        Assert.Empty(training.Passages.Keys.Intersect(heldOutDocuments));
    }

    [Fact]
    public void Held_out_split_is_stable_and_close_to_its_fraction()
    {
        var keys = Enumerable.Range(0, 20_000).Select(i => $"source-{i}").ToList();
        var heldOut = keys.Count(k => HeldOutSplit.IsHeldOut(k, 0.05));
        Assert.InRange(heldOut, 800, 1200);
        Assert.Equal(keys.Select(k => HeldOutSplit.IsHeldOut(k, 0.05)), keys.Select(k => HeldOutSplit.IsHeldOut(k, 0.05)));
        Assert.Throws<ArgumentOutOfRangeException>(() => HeldOutSplit.IsHeldOut("x", 1.5));
    }

    [Fact]
    public void Jsonl_training_input_names_the_line_of_a_bad_record()
    {
        var path = Path.GetTempFileName();
        File.WriteAllLines(path, ["{\"query\": \"a\", \"positive\": \"passage one\"}", "{\"query\": \"b\"}"]);
        var error = Assert.Throws<InvalidDataException>(() => TrainingPairs.Load(path));
        Assert.Contains(":2:", error.Message);
        Assert.Contains("positive", error.Message);

        File.WriteAllLines(path, ["{\"query\": \"a\", \"positive\": \"passage one\"}", "{\"query\": \"b\", \"positive\": \"passage two\"}", "{\"query\": \"c\", \"positive\": \"passage one\"}"]);
        var pairs = TrainingPairs.Load(path);
        Assert.Equal(3, pairs.Pairs.Count);
        Assert.Equal(2, pairs.Passages.Count);
        Assert.Equal(pairs.Pairs[0].PositiveId, pairs.Pairs[2].PositiveId);
    }
}
