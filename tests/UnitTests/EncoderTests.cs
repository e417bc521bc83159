using System.Numerics.Tensors;
using RerankCluster.Inference;

namespace RerankCluster.UnitTests;

[Collection(ModelCollection.Name)]
public sealed class EncoderTests(ModelFixture models)
{
    [Fact]
    public void Bi_encoder_scores_a_paraphrase_above_an_unrelated_sentence()
    {
        var vectors = models.BiEncoder.Embed([
            "How do I reset my password?",
            "What are the steps to change a forgotten password?",
            "The tide pools were full of starfish this morning.",
        ]);
        var paraphrase = TensorPrimitives.Dot(vectors[0], vectors[1]);
        var unrelated = TensorPrimitives.Dot(vectors[0], vectors[2]);
        Assert.True(paraphrase > unrelated + 0.2f, $"paraphrase {paraphrase} vs unrelated {unrelated}");
    }

    [Fact]
    public void Embeddings_are_unit_length_and_the_same_alone_or_in_a_padded_batch()
    {
        string[] texts =
        [
            "short",
            "A considerably longer sentence that forces the shorter ones in this batch to be padded a lot.",
            "medium length text here",
        ];
        var batched = models.BiEncoder.Embed(texts);
        for (var i = 0; i < texts.Length; i++)
        {
            var alone = models.BiEncoder.Embed(texts[i]);
            Assert.Equal(models.BiEncoder.Dimension, alone.Length);
            Assert.InRange(TensorPrimitives.Norm(batched[i]), 0.9999f, 1.0001f);
            for (var d = 0; d < alone.Length; d++)
            {
                Assert.Equal(alone[d], batched[i][d], 1e-4f);
            }
        }
    }

    [Fact]
    public void Cross_encoder_scores_are_the_same_alone_or_in_a_padded_batch()
    {
        const string query = "what is the capital of france";
        string[] passages =
        [
            "Paris.",
            "Paris is the capital and most populous city of France, with an estimated population of over two million residents.",
            "Berlin is the capital of Germany.",
        ];
        var batched = models.CrossEncoder.Score(query, passages);
        Assert.Equal(passages.Length, batched.Length);
        for (var i = 0; i < passages.Length; i++)
        {
            var alone = models.CrossEncoder.Score(query, [passages[i]]);
            Assert.Equal(alone[0], batched[i], 1e-4f);
        }

        // Different passages must give different logits, or the comparison above proves nothing.
        Assert.Equal(passages.Length, batched.Distinct().Count());
    }

    [Fact]
    public void Derived_cross_encoder_declares_that_its_scores_are_not_relevance()
    {
        Assert.False(models.CrossEncoder.ScoresAreRelevance);
        Assert.True(models.BiEncoder.Model.IsRelevanceModel);
    }
}
