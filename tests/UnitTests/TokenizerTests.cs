using RerankCluster.Inference.Tokenization;

namespace RerankCluster.UnitTests;

[Collection(ModelCollection.Name)]
public sealed class TokenizerTests(ModelFixture models)
{
    private BertTextTokenizer Tokenizer => Assert.IsType<BertTextTokenizer>(models.BiEncoder.Tokenizer);

    [Fact]
    public void Pair_matches_hugging_face_ids()
    {
        var (ids, types) = Tokenizer.EncodePair(
            Tokenizer.Tokenize("What is the capital of France?"),
            Tokenizer.Tokenize("Paris is the capital and largest city of France."),
            512);

        int[] expected = [101, 2054, 2003, 1996, 3007, 1997, 2605, 1029, 102, 3000, 2003, 1996, 3007, 1998, 2922, 2103, 1997, 2605, 1012, 102];
        Assert.Equal(expected, ids);
        Assert.Equal(Enumerable.Repeat(0, 9).Concat(Enumerable.Repeat(1, 11)), types);
    }

    [Theory]
    [InlineData("Paris is the capital and largest city of France.", 4)]
    [InlineData("Café au lait, s'il vous plaît: naïve résumé tokenisation!", 7)]
    [InlineData("short", 50)]
    public void Truncating_to_n_tokens_gives_the_first_n_tokens_of_the_text(string text, int n)
    {
        var tokens = Tokenizer.Tokenize(text);
        var truncated = Tokenizer.Truncate(text, n);

        // max_tokens_per_doc: the cut text tokenises to exactly the tokenizer's own first n ids.
        Assert.Equal(tokens.Take(n), Tokenizer.Tokenize(truncated));
    }

    [Theory]
    // Ids from Hugging Face's BertTokenizerFast for all-MiniLM-L6-v2 (lower-cased, accents stripped).
    [InlineData("Hello, world!", new[] { 101, 7592, 1010, 2088, 999, 102 })]
    [InlineData("The Café serves naïve tourists", new[] { 101, 1996, 7668, 4240, 15743, 9045, 102 })]
    [InlineData("unaffable", new[] { 101, 14477, 20961, 3468, 102 })]
    public void Single_texts_match_hugging_face_ids(string text, int[] expected)
    {
        Assert.Equal(expected, Tokenizer.EncodeSingle(text, 512));
    }

    [Fact]
    public void Single_text_is_truncated_to_max_length_keeping_special_tokens()
    {
        var ids = Tokenizer.EncodeSingle(string.Join(' ', Enumerable.Repeat("word", 100)), 16);
        Assert.Equal(16, ids.Length);
        Assert.Equal(Tokenizer.ClsId, ids[0]);
        Assert.Equal(Tokenizer.SepId, ids[^1]);
    }

    [Theory]
    [InlineData(5, 100, 20, 5, 12)] // only the longer side is cut
    [InlineData(100, 5, 20, 12, 5)]
    [InlineData(30, 40, 20, 8, 9)] // both cut: halves, the odd token to the second
    [InlineData(3, 4, 20, 3, 4)] // fits
    public void Longest_first_truncation_follows_hugging_face(int first, int second, int maxLength, int keepFirst, int keepSecond)
    {
        var (ids, types) = Tokenizer.EncodePair(Enumerable.Range(1000, first).ToArray(), Enumerable.Range(2000, second).ToArray(), maxLength);
        Assert.Equal(keepFirst + keepSecond + 3, ids.Length);
        Assert.Equal(keepFirst, types.Count(t => t == 0) - 2);
        Assert.Equal(keepSecond, types.Count(t => t == 1) - 1);
        Assert.True(ids.Length <= maxLength);
    }

    [Fact]
    public void Batches_pad_to_their_longest_row_only()
    {
        var batch = Tokenizer.EncodeSingles(["short", "a somewhat longer sentence than the first"], 256);
        var longest = Tokenizer.EncodeSingle("a somewhat longer sentence than the first", 256).Length;
        Assert.Equal(longest, batch.Width);
        Assert.Equal(3, batch.Lengths[0]);
        Assert.Equal(Tokenizer.PadId, batch.InputIds.Span[batch.Width - 1]);
        Assert.Equal(0, batch.AttentionMask.Span[batch.Width - 1]);
        Assert.Equal(3, batch.AttentionMask[..batch.Width].ToArray().Sum());
    }
}
