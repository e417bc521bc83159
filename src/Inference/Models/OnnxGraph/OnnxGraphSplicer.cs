using System.Runtime.InteropServices;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// Adds nodes and initialisers to an ONNX model's graph and replaces its outputs, working on the
/// serialised protobuf so that the large weight tensors are copied byte for byte.
/// </summary>
public static class OnnxGraphSplicer
{
    // Field numbers from onnx.proto (GraphProto, ValueInfoProto, TypeProto).
    private const int GraphOutput = 12;

    public sealed record FloatTensor(string Name, IReadOnlyList<long> Dims, float[] Values);

    /// <summary>
    /// A graph output of element type float; a null dimension is symbolic (named <c>batch</c>), and null
    /// dimensions leave the shape undeclared.
    /// </summary>
    public sealed record FloatOutput(string Name, IReadOnlyList<long?>? Dims);

    /// <summary>Returns the graph names that the model declares as outputs.</summary>
    public static IReadOnlyList<string> OutputNames(byte[] model)
    {
        var graphBytes = OnnxModelProto.Graph(model);
        var names = new List<string>();
        foreach (var output in ProtoWire.ReadFields(graphBytes).Where(f => f.Number == GraphOutput))
        {
            var valueInfo = graphBytes.Slice(output.PayloadStart, output.End - output.PayloadStart);
            var name = ProtoWire.ReadFields(valueInfo).First(f => f.Number == 1);
            names.Add(System.Text.Encoding.UTF8.GetString(valueInfo.Span[name.PayloadStart..name.End]));
        }

        return names;
    }

    public static byte[] Splice(byte[] model, IEnumerable<OnnxNode> nodes, IEnumerable<FloatTensor> initializers, IEnumerable<FloatOutput> outputs)
    {
        var graph = OnnxModelProto.Graph(model);
        using var newGraph = new MemoryStream(graph.Length + 64 * 1024);
        WriteGraph(newGraph, graph, nodes, initializers, outputs);
        return OnnxModelProto.WithGraph(model, newGraph);
    }

    private static void WriteGraph(Stream output, ReadOnlyMemory<byte> graph, IEnumerable<OnnxNode> nodes,
        IEnumerable<FloatTensor> initializers, IEnumerable<FloatOutput> outputs)
    {
        foreach (var field in ProtoWire.ReadFields(graph))
        {
            if (field.Number != GraphOutput)
            {
                output.Write(graph.Span[field.Start..field.End]);
            }
        }

        foreach (var node in nodes)
        {
            node.WriteTo(output);
        }

        foreach (var tensor in initializers)
        {
            OnnxTensorProto.WriteInitializer(output, tensor.Name, tensor.Dims.ToArray(), OnnxTensorProto.Float,
                MemoryMarshal.AsBytes(tensor.Values.AsSpan()).ToArray());
        }

        foreach (var graphOutput in outputs)
        {
            ProtoWire.WriteMessageField(output, GraphOutput, v =>
            {
                ProtoWire.WriteStringField(v, 1, graphOutput.Name);
                ProtoWire.WriteMessageField(v, 2, type => ProtoWire.WriteMessageField(type, 1, tensorType =>
                {
                    ProtoWire.WriteVarintField(tensorType, 1, OnnxTensorProto.Float);
                    if (graphOutput.Dims is null)
                    {
                        return;
                    }

                    ProtoWire.WriteMessageField(tensorType, 2, shape =>
                    {
                        foreach (var dim in graphOutput.Dims)
                        {
                            ProtoWire.WriteMessageField(shape, 1, d =>
                            {
                                if (dim is { } size)
                                {
                                    ProtoWire.WriteVarintField(d, 1, size);
                                }
                                else
                                {
                                    ProtoWire.WriteStringField(d, 2, "batch");
                                }
                            });
                        }
                    });
                }));
            });
        }
    }
}
