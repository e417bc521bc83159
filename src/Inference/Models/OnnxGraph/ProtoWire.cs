using System.Text;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// The few pieces of the protobuf wire format needed to splice nodes into an ONNX model without a
/// generated ONNX schema: ONNX files are plain protobuf messages.
/// </summary>
internal static class ProtoWire
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    public static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        output.WriteByte((byte)value);
    }

    public static void WriteTag(Stream output, int field, int wireType) =>
        WriteVarint(output, (ulong)((field << 3) | wireType));

    public static void WriteVarintField(Stream output, int field, long value)
    {
        WriteTag(output, field, Varint);
        WriteVarint(output, unchecked((ulong)value));
    }

    public static void WriteBytesField(Stream output, int field, ReadOnlySpan<byte> bytes)
    {
        WriteTag(output, field, LengthDelimited);
        WriteVarint(output, (ulong)bytes.Length);
        output.Write(bytes);
    }

    public static void WriteStringField(Stream output, int field, string value) =>
        WriteBytesField(output, field, Encoding.UTF8.GetBytes(value));

    public static void WriteMessageField(Stream output, int field, Action<Stream> writeMessage)
    {
        using var inner = new MemoryStream();
        writeMessage(inner);
        WriteBytesField(output, field, inner.GetBuffer().AsSpan(0, (int)inner.Length));
    }

    public static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new InvalidDataException("Malformed protobuf varint.");
    }

    /// <summary>One field of a message: its number and the exact bytes it occupies, tag included.</summary>
    public readonly record struct Field(int Number, int WireType, int Start, int End, int PayloadStart);

    public static IEnumerable<Field> ReadFields(ReadOnlyMemory<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var start = position;
            var tag = ReadVarint(message.Span, ref position);
            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            var payloadStart = position;
            switch (wireType)
            {
                case Varint:
                    ReadVarint(message.Span, ref position);
                    payloadStart = start;
                    break;
                case Fixed64:
                    position += 8;
                    break;
                case LengthDelimited:
                    var length = (int)ReadVarint(message.Span, ref position);
                    payloadStart = position;
                    position += length;
                    break;
                case Fixed32:
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {wireType} in field {number}.");
            }

            if (position > message.Length)
            {
                throw new InvalidDataException("Truncated protobuf message.");
            }

            yield return new Field(number, wireType, start, position, payloadStart);
        }
    }
}
