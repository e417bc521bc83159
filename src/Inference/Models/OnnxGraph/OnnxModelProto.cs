using System.Text;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// The graph inside a serialised ONNX ModelProto, and the model rebuilt around a rewritten graph with
/// every other field (IR version, opsets, metadata) copied byte for byte.
/// </summary>
internal static class OnnxModelProto
{
    // Field numbers from onnx.proto (ModelProto, OperatorSetIdProto).
    private const int ModelGraph = 7;
    private const int ModelOpsetImport = 8;

    public static ReadOnlyMemory<byte> Graph(byte[] model)
    {
        var graph = ProtoWire.ReadFields(model).FirstOrDefault(f => f.Number == ModelGraph);
        if (graph.End == 0)
        {
            throw new InvalidDataException("The file is not an ONNX model: it has no graph.");
        }

        return model.AsMemory(graph.PayloadStart, graph.End - graph.PayloadStart);
    }

    /// <param name="importDomain">An operator domain the new graph uses (version 1 is imported if the model has none).</param>
    public static byte[] WithGraph(byte[] model, MemoryStream graph, string? importDomain = null)
    {
        using var result = new MemoryStream(model.Length + 64 * 1024);
        var imported = importDomain is null;
        foreach (var field in ProtoWire.ReadFields(model))
        {
            if (field.Number == ModelGraph)
            {
                ProtoWire.WriteBytesField(result, ModelGraph, graph.GetBuffer().AsSpan(0, (int)graph.Length));
                continue;
            }

            if (field.Number == ModelOpsetImport && OpsetDomain(model.AsMemory(field.PayloadStart, field.End - field.PayloadStart)) == importDomain)
            {
                imported = true;
            }

            result.Write(model, field.Start, field.End - field.Start);
        }

        if (!imported)
        {
            ProtoWire.WriteMessageField(result, ModelOpsetImport, opset =>
            {
                ProtoWire.WriteStringField(opset, 1, importDomain!);
                ProtoWire.WriteVarintField(opset, 2, 1);
            });
        }

        return result.ToArray();
    }

    private static string OpsetDomain(ReadOnlyMemory<byte> opset)
    {
        var domain = ProtoWire.ReadFields(opset).FirstOrDefault(f => f.Number == 1 && f.WireType == ProtoWire.LengthDelimited);
        return domain.End == 0 ? "" : Encoding.UTF8.GetString(opset.Span[domain.PayloadStart..domain.End]);
    }
}
