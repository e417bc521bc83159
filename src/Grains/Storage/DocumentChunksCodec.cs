using System.Runtime.InteropServices;
using System.Text;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Storage;

/// <summary>
/// Compact binary form of one document's chunks for external storage: texts as UTF-8, embeddings as
/// raw little-endian floats (a 384-dimension chunk costs 1.5 KiB of vector, not 4+ KiB of JSON).
/// </summary>
public static class DocumentChunksCodec
{
    private const byte Version = 1;

    public static byte[] Encode(DocumentChunks document)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write(document.DocumentId);
            writer.Write(document.Chunks.Length);
            foreach (var chunk in document.Chunks)
            {
                writer.Write(chunk.ChunkIndex);
                writer.Write(chunk.Text);
                writer.Write(chunk.MetadataJson is not null);
                if (chunk.MetadataJson is not null)
                {
                    writer.Write(chunk.MetadataJson);
                }

                writer.Write(chunk.TokenCount);
                writer.Write(chunk.Embedding.Length);
                writer.Write(MemoryMarshal.AsBytes(chunk.Embedding.AsSpan()));
            }
        }

        return stream.ToArray();
    }

    public static DocumentChunks Decode(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        var version = reader.ReadByte();
        if (version != Version)
        {
            throw new InvalidDataException($"Stored document format {version} is not readable by this version (expects {Version}).");
        }

        var documentId = reader.ReadString();
        var chunks = new StoredChunk[reader.ReadInt32()];
        for (var i = 0; i < chunks.Length; i++)
        {
            var index = reader.ReadInt32();
            var text = reader.ReadString();
            var metadata = reader.ReadBoolean() ? reader.ReadString() : null;
            var tokens = reader.ReadInt32();
            var embedding = new float[reader.ReadInt32()];
            reader.Read(MemoryMarshal.AsBytes(embedding.AsSpan()));
            chunks[i] = new StoredChunk(documentId, index, text, metadata, tokens, embedding);
        }

        return new DocumentChunks(documentId, chunks);
    }
}
