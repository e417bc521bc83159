using System.Numerics.Tensors;
using RerankCluster.Inference;
using RerankCluster.Inference.Simulation;

namespace RerankCluster.UnitTests;

[Collection(ModelCollection.Name)]
public sealed class SimulatedAcceleratorTests(ModelFixture models)
{
    private readonly SimulatedAccelerator _device = new(1e9, TimeSpan.Zero);

    [Fact]
    public void Simulated_logits_are_deterministic_and_favour_the_passage_that_shares_the_querys_words()
    {
        var tokenizer = models.CrossEncoder.Tokenizer;
        string[] passages = ["the capital of france is paris", "yeast makes bread rise", "france"];
        using var batch = tokenizer.EncodePairs("what is the capital of france", passages, 64);
        using var again = tokenizer.EncodePairs("what is the capital of france", passages, 64);

        var logits = _device.Score(batch);

        Assert.Equal(logits, _device.Score(again));
        Assert.True(logits[0] > logits[2] && logits[2] > logits[1], string.Join(", ", logits));
    }

    [Fact]
    public void Simulated_embeddings_are_unit_vectors_closer_for_texts_that_share_words()
    {
        var encoder = new BiEncoder(models.BiEncoder.Model, _device, dimension: 128);
        var vectors = encoder.Embed(["solar panels on the roof", "panels on a solar roof", "a recipe for lentil soup"]);

        Assert.All(vectors, v => Assert.InRange(TensorPrimitives.Norm(v), 0.999f, 1.001f));
        Assert.True(TensorPrimitives.Dot(vectors[0], vectors[1]) > TensorPrimitives.Dot(vectors[0], vectors[2]) + 0.3f);
        Assert.Equal(vectors[2], encoder.Embed("a recipe for lentil soup"));
    }
}
