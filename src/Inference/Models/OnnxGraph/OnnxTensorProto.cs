using System.Runtime.InteropServices;
using System.Text;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>An ONNX TensorProto as the graph rewriters need it: name, element type, dims and raw bytes.</summary>
internal sealed record OnnxTensorProto(string Name, int DataType, long[] Dims, ReadOnlyMemory<byte> Raw, ReadOnlyMemory<byte> Bytes)
{
    public const int Float = 1;
    public const int Uint8 = 2;
    public const int Int8 = 3;
    public const int Float16 = 10;

    /// <summary>GraphProto's field number for initializers (onnx.proto).</summary>
    public const int GraphInitializer = 5;

    public float[] Floats() => MemoryMarshal.Cast<byte, float>(Raw.Span).ToArray();

    public static OnnxTensorProto Parse(ReadOnlyMemory<byte> bytes)
    {
        var name = "";
        var dataType = 0;
        var dims = new List<long>();
        ReadOnlyMemory<byte> raw = default;
        foreach (var field in ProtoWire.ReadFields(bytes))
        {
            var span = bytes.Span;
            switch (field.Number, field.WireType)
            {
                case (1, ProtoWire.Varint):
                    var position = field.Start;
                    ProtoWire.ReadVarint(span, ref position);
                    dims.Add((long)ProtoWire.ReadVarint(span, ref position));
                    break;
                case (1, ProtoWire.LengthDelimited):
                    for (var p = field.PayloadStart; p < field.End;)
                    {
                        dims.Add((long)ProtoWire.ReadVarint(span, ref p));
                    }

                    break;
                case (2, ProtoWire.Varint):
                    var at = field.Start;
                    ProtoWire.ReadVarint(span, ref at);
                    dataType = (int)ProtoWire.ReadVarint(span, ref at);
                    break;
                case (4, ProtoWire.LengthDelimited) or (9, ProtoWire.LengthDelimited):
                    raw = bytes.Slice(field.PayloadStart, field.End - field.PayloadStart);
                    break;
                case (8, ProtoWire.LengthDelimited):
                    name = Encoding.UTF8.GetString(span[field.PayloadStart..field.End]);
                    break;
            }
        }

        return new OnnxTensorProto(name, dataType, dims.ToArray(), raw, bytes);
    }

    /// <summary>Writes a tensor as an initializer field of the graph being written.</summary>
    public static void WriteInitializer(Stream graph, string name, long[] dims, int dataType, byte[] raw) =>
        ProtoWire.WriteMessageField(graph, GraphInitializer, tensor => Write(tensor, name, dims, dataType, raw));

    private static void Write(Stream output, string name, long[] dims, int dataType, byte[] raw)
    {
        foreach (var dim in dims)
        {
            ProtoWire.WriteVarintField(output, 1, dim);
        }

        ProtoWire.WriteVarintField(output, 2, dataType);
        ProtoWire.WriteStringField(output, 8, name);
        ProtoWire.WriteBytesField(output, 9, raw);
    }
}
