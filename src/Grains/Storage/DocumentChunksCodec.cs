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

    /// <summary>
    /// Reads one stored record, all of it or nothing: a truncated or corrupt record throws
    /// <see cref="StoredDocumentsCorruptException"/> naming the document (the hash field, when the record
    /// itself is too broken to say), never a document with zero-filled vectors.
    /// </summary>
    public static DocumentChunks Decode(byte[] bytes, string? fieldName = null)
    {
        string? documentId = null;
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
            var version = reader.ReadByte();
            if (version != Version)
            {
                throw new InvalidDataException($"format {version} is not readable by this version (expects {Version})");
            }

            documentId = reader.ReadString();
            var chunks = new StoredChunk[Count(reader, bytes.Length, "chunk count")];
            for (var i = 0; i < chunks.Length; i++)
            {
                var index = reader.ReadInt32();
                var text = reader.ReadString();
                var metadata = reader.ReadBoolean() ? reader.ReadString() : null;
                var tokens = reader.ReadInt32();
                var embedding = new float[Count(reader, bytes.Length, "dimension")];
                // BinaryReader.Read returns what it could: a short read is a truncated record, not zeros.
                var vector = MemoryMarshal.AsBytes(embedding.AsSpan());
                if (reader.Read(vector) != vector.Length)
                {
                    throw new EndOfStreamException($"chunk {i}'s vector is cut short");
                }

                chunks[i] = new StoredChunk(documentId, index, text, metadata, tokens, embedding);
            }

            if (reader.BaseStream.Position != bytes.Length)
            {
                throw new InvalidDataException($"{bytes.Length - reader.BaseStream.Position} bytes follow the last chunk");
            }

            return new DocumentChunks(documentId, chunks);
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or FormatException or ArgumentException)
        {
            var name = documentId ?? fieldName ?? "(unnamed)";
            throw new StoredDocumentsCorruptException([name],
                $"Stored document '{name}' cannot be decoded ({bytes.Length} bytes): {ex.Message}.");
        }
    }

    /// <summary>A length prefix, checked against the record's size before anything is allocated for it.</summary>
    private static int Count(BinaryReader reader, int recordBytes, string what)
    {
        var count = reader.ReadInt32();
        return count >= 0 && count <= recordBytes
            ? count
            : throw new InvalidDataException($"{what} {count} does not fit a record of {recordBytes} bytes");
    }
}
