using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Storage;

namespace RerankCluster.UnitTests;

public sealed class DocumentChunksCodecTests
{
    private static readonly DocumentChunks Document = new("doc-7", [
        new StoredChunk("doc-7", 0, "first window", "{\"lang\":\"en\"}", 4, [0.25f, -1.5f, 3f]),
        new StoredChunk("doc-7", 1, "second window", null, 5, [1f, 2f, 3f]),
    ]);

    [Fact]
    public void A_document_round_trips_with_its_texts_metadata_and_exact_vectors()
    {
        var decoded = DocumentChunksCodec.Decode(DocumentChunksCodec.Encode(Document));

        Assert.Equal(Document.DocumentId, decoded.DocumentId);
        Assert.Equal(Document.Chunks.Length, decoded.Chunks.Length);
        for (var i = 0; i < Document.Chunks.Length; i++)
        {
            var (expected, actual) = (Document.Chunks[i], decoded.Chunks[i]);
            Assert.Equal((expected.ChunkIndex, expected.Text, expected.MetadataJson, expected.TokenCount),
                (actual.ChunkIndex, actual.Text, actual.MetadataJson, actual.TokenCount));
            Assert.Equal(expected.Embedding, actual.Embedding);
        }
    }

    [Fact]
    public void A_record_cut_anywhere_fails_naming_the_document_and_never_yields_zero_filled_vectors()
    {
        var bytes = DocumentChunksCodec.Encode(Document);
        // From just after the id (the record can name its document) to one byte short of the end.
        var idEnd = 1 + 1 + Document.DocumentId.Length;
        for (var length = idEnd; length < bytes.Length; length++)
        {
            var error = Assert.Throws<StoredDocumentsCorruptException>(() => DocumentChunksCodec.Decode(bytes[..length], "field"));
            Assert.Equal(["doc-7"], error.DocumentIds);
            Assert.Contains("'doc-7'", error.Message);
        }
    }

    [Fact]
    public void A_record_too_short_to_name_its_document_is_named_by_its_storage_field()
    {
        var error = Assert.Throws<StoredDocumentsCorruptException>(() => DocumentChunksCodec.Decode([1, 40, (byte)'d'], "doc-9"));
        Assert.Equal(["doc-9"], error.DocumentIds);
    }

    [Fact]
    public void Trailing_bytes_and_impossible_lengths_are_corruption_too()
    {
        var bytes = DocumentChunksCodec.Encode(Document);
        Assert.Throws<StoredDocumentsCorruptException>(() => DocumentChunksCodec.Decode([.. bytes, 0]));

        var hugeCount = (byte[])bytes.Clone();
        BitConverter.GetBytes(int.MaxValue).CopyTo(hugeCount, 1 + 1 + Document.DocumentId.Length);
        Assert.Contains("does not fit", Assert.Throws<StoredDocumentsCorruptException>(() => DocumentChunksCodec.Decode(hugeCount)).Message);
    }
}
