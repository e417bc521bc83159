using AngleSharp.Html.Parser;
using RerankCluster.Evaluation;
using RerankCluster.Training.Data;
using RerankCluster.Training.ReferenceTexts;

namespace RerankCluster.UnitTests.Training;

/// <summary>The reference-text sources, each parsed from a small committed excerpt of the Debian package's own files.</summary>
public sealed class ReferenceTextsTests
{
    private static readonly string Sample = Path.Combine(AppContext.BaseDirectory, "Training", "reference-sample");

    [Fact]
    public void A_dictd_dictionary_gives_each_definition_once_without_its_markup()
    {
        var entries = DictdDictionary.Load("foldoc", Path.Combine(Sample, "foldoc.index"), Path.Combine(Sample, "foldoc.dict.dz"));

        // 7 index lines: the database header is no entry, and *lisp/starlisp share one definition.
        Assert.Equal(5, entries.Count);
        var gc = Assert.Single(entries, e => e.Term == "garbage collection");
        Assert.StartsWith("(GC) The process by which dynamically allocated storage is reclaimed", gc.Text);
        Assert.DoesNotContain("<programming>", gc.Text);
        Assert.DoesNotContain("{", gc.Text);
        Assert.DoesNotContain("garbage collect\n", gc.Text);  // the alias line before the body
        Assert.Contains("run-time system", gc.Text);          // a cross reference keeps its words
        Assert.DoesNotMatch(@"\(\d{4}-\d{2}-\d{2}\)", gc.Text);
        Assert.Single(entries, e => e.Term.Equals("*lisp", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void WordNet_keeps_glosses_of_lemmas_with_one_sense_only()
    {
        var entries = WordNetGlosses.Parse(File.ReadLines(Path.Combine(Sample, "wordnet-data.txt")));

        // Lines of data.noun and data.verb: the verb "chase" has two senses, so it is left out; the licence lines are skipped.
        Assert.Equal(["destruction", "disaster", "dog"], entries.Select(e => e.Term).Order().ToArray());
        Assert.Equal("an act that has disastrous consequences", entries.Single(e => e.Term == "disaster").Text);
    }

    [Fact]
    public void A_sphinx_page_gives_one_entry_per_section_with_its_own_prose()
    {
        var document = new HtmlParser().ParseDocument(File.ReadAllText(Path.Combine(Sample, "json.html")));

        var entries = SphinxManual.Parse("python-docs", "library/json.html", document, new SphinxManual.Settings()).ToList();

        Assert.Equal(2, entries.Count);
        var page = entries[0];
        Assert.StartsWith("json", page.Term);
        Assert.DoesNotContain("¶", page.Term);
        Assert.Equal("", page.Context);
        var section = entries[1];
        Assert.Equal("Basic Usage", section.Term);
        Assert.Equal(page.Term, section.Context);
        Assert.Equal("library/json.html#basic-usage", section.Key);
        Assert.DoesNotContain("Basic Usage", page.Text); // the nested section is not part of the page's own prose
        Assert.InRange(section.Text.Split(' ').Length, 20, new SphinxManual.Settings().MaximumWords);
    }

    [Fact]
    public void A_manual_leaves_out_its_excluded_folders_so_rendered_man_pages_never_reach_training()
    {
        // The same page in the manual's usage/ and in its man/ folder (where Sphinx renders man pages).
        var manual = Directory.CreateTempSubdirectory("sphinx-manual").FullName;
        foreach (var folder in new[] { "usage", "man", "_sources" })
        {
            Directory.CreateDirectory(Path.Combine(manual, folder));
            File.Copy(Path.Combine(Sample, "json.html"), Path.Combine(manual, folder, "json.html"));
        }

        var all = SphinxManual.Load("sphinx-docs", manual, new SphinxManual.Settings());
        var kept = SphinxManual.Load("sphinx-docs", manual, new SphinxManual.Settings(ExcludedFolders: ["man"]));

        Assert.Contains(all, e => e.Key.StartsWith("man/", StringComparison.Ordinal));
        Assert.DoesNotContain(all, e => e.Key.StartsWith("_sources/", StringComparison.Ordinal));
        Assert.NotEmpty(kept);
        Assert.All(kept, e => Assert.StartsWith("usage/", e.Key));
        Assert.Equal(all.Count(e => e.Key.StartsWith("usage/", StringComparison.Ordinal)), kept.Count);
    }

    [Fact]
    public void The_held_out_split_is_stable_and_never_reaches_training()
    {
        var entries = Enumerable.Range(0, 400)
            .Select(i => new ReferenceEntry("dict", $"term {i}", $"term {i}", "", $"definition number {i} of the sample dictionary"))
            .ToList();
        var first = Path.Combine(Path.GetTempPath(), "ref-split-" + Guid.NewGuid().ToString("N"));
        var second = Path.Combine(Path.GetTempPath(), "ref-split-" + Guid.NewGuid().ToString("N"));
        try
        {
            var report = ReferenceDatasetBuilder.Build(entries, first, new ReferenceDatasetBuilder.Settings(TestFraction: 0.1));
            // More entries, another order: an entry that was held out stays held out.
            ReferenceDatasetBuilder.Build(entries.Concat(entries.Select(e => e with { Key = e.Key + " b", Term = e.Term + " b", Text = e.Text + " b" }))
                .Reverse().ToList(), second, new ReferenceDatasetBuilder.Settings(TestFraction: 0.1));

            Assert.InRange(report.Test, 20, 60);
            Assert.True(HeldOutTexts(first).IsSubsetOf(HeldOutTexts(second)));
            var training = TrainingPairs.Load(first, "train");
            Assert.Empty(training.Passages.Values.Intersect(HeldOutTexts(first)));
            Assert.Equal(report.Train, training.Pairs.Count);
        }
        finally
        {
            Directory.Delete(first, true);
            Directory.Delete(second, true);
        }
    }

    [Fact]
    public void Ambiguous_terms_and_repeated_passages_are_dropped_and_queries_take_several_forms()
    {
        var entries = Enumerable.Range(0, 60).Select(i => new ReferenceEntry("dict", $"word{i}", $"word{i}", "", $"the meaning of word {i} in a few words"))
            .Append(new ReferenceEntry("dict", "word0 again", "word0", "", "a second, different meaning of word zero"))
            .Append(new ReferenceEntry("dict", "copy", "copy", "", "the meaning of word 5 in a few words"))
            .ToList();
        var directory = Path.Combine(Path.GetTempPath(), "ref-forms-" + Guid.NewGuid().ToString("N"));
        try
        {
            var report = ReferenceDatasetBuilder.Build(entries, directory, new ReferenceDatasetBuilder.Settings());

            Assert.Equal(3, report.DroppedDuplicate); // both senses of word0, and the copied passage
            var queries = BeirDataset.Load(directory).Queries.Concat(BeirDataset.Load(directory, "train").Queries).Select(q => q.Text).ToList();
            Assert.DoesNotContain(queries, q => q.Split(' ').Contains("word0"));
            Assert.Contains(queries, q => q.StartsWith("what is ", StringComparison.Ordinal));
            Assert.Contains(queries, q => q.StartsWith("what does ", StringComparison.Ordinal));
            Assert.Contains(queries, q => q.StartsWith("word", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    private static HashSet<string> HeldOutTexts(string directory)
    {
        var held = Qrels.Load(Path.Combine(directory, "qrels", "test.tsv")).Documents().ToHashSet();
        return CorpusReader.Read(Path.Combine(directory, "corpus.jsonl")).Where(d => held.Contains(d.Id)).Select(d => d.Text).ToHashSet();
    }
}
