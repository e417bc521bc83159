using RerankCluster.Grains.Reranking;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.UnitTests;

[Collection(ModelCollection.Name)]
public sealed class BestChunkScoringTests(ModelFixture models)
{
    private TextTokenizer Tokenizer => models.CrossEncoder.Tokenizer;

    [Fact]
    public void Long_documents_are_cut_into_windows_that_fit_beside_the_query_and_cover_the_text_in_order()
    {
        const string query = "what is the capital of france";
        var text = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"Sentence {i} mentions unbelievably antidisestablishmentarian gardening."));
        string[] documents = ["A short one.", text];
        const int maxLength = 64;

        var windows = BestChunkScoring.Split(Tokenizer, query, documents, maxLength, maxChunks: 1000);

        var room = maxLength - 3 - Tokenizer.Tokenize(query).Length;
        Assert.Equal(0, windows.Owners[0]);
        Assert.Equal("A short one.", windows.Texts[0]);
        var pieces = windows.Texts.Skip(1).Select(Tokenizer.Tokenize).ToList();
        Assert.All(windows.Owners.Skip(1), owner => Assert.Equal(1, owner));
        Assert.True(pieces.Count > 10, $"{pieces.Count} windows");
        Assert.All(pieces, p => Assert.InRange(p.Length, 1, room));
        // Every window starts at a word: re-tokenised one after another they give the document's own pieces.
        Assert.Equal(Tokenizer.Tokenize(text), pieces.SelectMany(p => p));
        // Each window is the most that fits up to a word boundary: adding the next window's first word overflows.
        for (var i = 0; i < pieces.Count - 1; i++)
        {
            var nextWord = windows.Texts[i + 2].Split(' ')[0];
            Assert.True(Tokenizer.Tokenize(windows.Texts[i + 1] + " " + nextWord).Length > room, $"window {i} could have taken '{nextWord}'");
        }

        var capped = BestChunkScoring.Split(Tokenizer, query, documents, maxLength, maxChunks: 3);
        Assert.Equal([0, 1, 1, 1], capped.Owners);
        Assert.Equal(windows.Texts.Take(4), capped.Texts);
    }

    [Fact]
    public void A_document_takes_its_best_windows_logit()
    {
        var best = BestChunkScoring.Best([0.5f, -2f, 3f, 1f, -7f], [0, 1, 1, 1, 2], documents: 3);

        Assert.Equal([0.5f, 3f, -7f], best);
    }
}
