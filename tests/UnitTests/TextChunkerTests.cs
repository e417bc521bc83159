using RerankCluster.Inference.Tokenization;
using RerankCluster.Retrieval;

namespace RerankCluster.UnitTests;

[Collection(ModelCollection.Name)]
public sealed class TextChunkerTests(ModelFixture models)
{
    [Fact]
    public void Short_text_is_one_chunk()
    {
        var chunks = new TextChunker(Count(models.BiEncoder.Tokenizer), 254, 32).Split("  A short text.  ");
        Assert.Single(chunks);
        Assert.Equal("A short text.", chunks[0].Text);
        Assert.Equal(models.BiEncoder.Tokenizer.Tokenize("A short text.").Length, chunks[0].TokenCount);
    }

    [Fact]
    public void Long_text_is_covered_by_overlapping_windows_within_the_limit()
    {
        var tokenizer = models.BiEncoder.Tokenizer;
        var words = Enumerable.Range(0, 300).Select(i => $"word{i}").ToArray();
        var text = string.Join(' ', words);
        var chunker = new TextChunker(Count(tokenizer), 64, 16);
        var chunks = chunker.Split(text);

        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c =>
        {
            Assert.Contains(c.Text, text);
            Assert.InRange(tokenizer.Tokenize(c.Text).Length, 1, 64);
        });
        // Every word appears in some chunk: nothing is dropped.
        Assert.All(words, w => Assert.Contains(chunks, c => c.Text.Split(' ').Contains(w)));
        // Consecutive chunks share words (overlap) but never start at the same place.
        for (var i = 1; i < chunks.Count; i++)
        {
            var previous = chunks[i - 1].Text.Split(' ');
            var current = chunks[i].Text.Split(' ');
            Assert.Contains(current[0], previous);
            Assert.NotEqual(previous[0], current[0]);
        }
    }

    [Fact]
    public void A_single_giant_word_is_split_rather_than_truncated()
    {
        // Punctuation splits it into hundreds of word pieces, yet it has no whitespace to cut at.
        var giant = string.Join("-", Enumerable.Repeat("alpha", 200));
        var text = $"start {giant} end";
        var chunks = new TextChunker(Count(models.BiEncoder.Tokenizer), 32, 4).Split(text);
        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c => Assert.InRange(models.BiEncoder.Tokenizer.Tokenize(c.Text).Length, 1, 32));
        Assert.StartsWith("start", chunks[0].Text);
        Assert.EndsWith("end", chunks[^1].Text);
        Assert.True(chunks.Sum(c => c.Text.Length) >= text.Replace(" ", "").Length, "characters of the giant word were dropped");
    }

    [Fact]
    public void Window_and_overlap_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextChunker(Count(models.BiEncoder.Tokenizer), 4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextChunker(Count(models.BiEncoder.Tokenizer), 64, 64));
    }

    private static Func<string, int> Count(TextTokenizer tokenizer) => text => tokenizer.Tokenize(text).Length;
}
