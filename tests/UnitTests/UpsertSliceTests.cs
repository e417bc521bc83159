using RerankCluster.Grains.Ingestion;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Retrieval;

namespace RerankCluster.UnitTests;

public sealed class UpsertSliceTests
{
    // A document "dN" of N words is N one-word chunks: slices can be reasoned about by word count.
    private static IReadOnlyList<TextChunk> Split(string text) =>
        text.Split(' ').Select((word, i) => new TextChunk(i, word, 1)).ToArray();

    private static DocumentInput Document(string id, int chunks) =>
        new(id, string.Join(' ', Enumerable.Range(0, chunks).Select(i => $"{id}w{i}")));

    [Fact]
    public void Slices_hold_at_most_the_budget_and_a_longer_document_is_a_slice_of_its_own()
    {
        var documents = new[] { Document("a", 3), Document("b", 2), Document("c", 1), Document("long", 9), Document("d", 4) };

        var slices = UpsertSlice.Cut(documents, Split, maxChunks: 4).ToArray();

        Assert.Equal([["a"], ["b", "c"], ["long"], ["d"]], slices.Select(s => s.Documents.Select(d => d.Id).ToArray()));
        Assert.All(slices.Where(s => s.Documents.Length > 1), s => Assert.True(s.ChunkCount <= 4));
        Assert.Equal(documents.Select(d => d.Id), slices.SelectMany(s => s.Documents).Select(d => d.Id));
    }

    [Fact]
    public void Embedding_calls_are_bounded_and_their_embeddings_go_back_to_the_right_chunks()
    {
        var slice = UpsertSlice.Cut([Document("long", 9), Document("x", 1)], Split, maxChunks: 4).First();

        var calls = slice.EmbeddingCalls(4);
        Assert.Equal([4, 4, 1], calls.Select(c => c.Length));

        var stored = slice.WithEmbeddings(calls.SelectMany(c => c).Select(text => new[] { (float)text.Length }).ToArray());
        var document = Assert.Single(stored);
        Assert.Equal(Enumerable.Range(0, 9), document.Chunks.Select(c => c.ChunkIndex));
        Assert.All(document.Chunks, c => Assert.Equal(c.Text.Length, c.Embedding[0]));
        Assert.Throws<InvalidOperationException>(() => slice.WithEmbeddings([[1f]]));
    }
}
