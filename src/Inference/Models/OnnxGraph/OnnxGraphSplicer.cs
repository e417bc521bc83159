namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// Adds nodes and initialisers to an ONNX model's graph and replaces its outputs, working on the
/// serialised protobuf so that the large weight tensors are copied byte for byte.
/// </summary>
public static class OnnxGraphSplicer
{
    // Field numbers from onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto, TypeProto).
    private const int ModelGraph = 7;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int GraphOutput = 12;
    private const int TensorFloat = 1;

    public sealed record Node(string OpType, string Name, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

    public sealed record FloatTensor(string Name, IReadOnlyList<long> Dims, float[] Values);

    /// <summary>
    /// A graph output of element type float; a null dimension is symbolic (named <c>batch</c>), and null
    /// dimensions leave the shape undeclared.
    /// </summary>
    public sealed record FloatOutput(string Name, IReadOnlyList<long?>? Dims);

    /// <summary>Returns the graph names that the model declares as outputs.</summary>
    public static IReadOnlyList<string> OutputNames(byte[] model)
    {
        var graph = ProtoWire.ReadFields(model).First(f => f.Number == ModelGraph);
        var graphBytes = model.AsMemory(graph.PayloadStart, graph.End - graph.PayloadStart);
        var names = new List<string>();
        foreach (var output in ProtoWire.ReadFields(graphBytes).Where(f => f.Number == GraphOutput))
        {
            var valueInfo = graphBytes.Slice(output.PayloadStart, output.End - output.PayloadStart);
            var name = ProtoWire.ReadFields(valueInfo).First(f => f.Number == 1);
            names.Add(System.Text.Encoding.UTF8.GetString(valueInfo.Span[name.PayloadStart..name.End]));
        }

        return names;
    }

    public static byte[] Splice(byte[] model, IEnumerable<Node> nodes, IEnumerable<FloatTensor> initializers, IEnumerable<FloatOutput> outputs)
    {
        using var result = new MemoryStream(model.Length + 64 * 1024);
        var sawGraph = false;
        foreach (var field in ProtoWire.ReadFields(model))
        {
            if (field.Number != ModelGraph)
            {
                result.Write(model, field.Start, field.End - field.Start);
                continue;
            }

            sawGraph = true;
            var graph = model.AsMemory(field.PayloadStart, field.End - field.PayloadStart);
            ProtoWire.WriteMessageField(result, ModelGraph, g => WriteGraph(g, graph, nodes, initializers, outputs));
        }

        if (!sawGraph)
        {
            throw new InvalidDataException("The file is not an ONNX model: it has no graph.");
        }

        return result.ToArray();
    }

    private static void WriteGraph(Stream output, ReadOnlyMemory<byte> graph, IEnumerable<Node> nodes,
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
            ProtoWire.WriteMessageField(output, GraphNode, n =>
            {
                foreach (var input in node.Inputs)
                {
                    ProtoWire.WriteStringField(n, 1, input);
                }

                foreach (var nodeOutput in node.Outputs)
                {
                    ProtoWire.WriteStringField(n, 2, nodeOutput);
                }

                ProtoWire.WriteStringField(n, 3, node.Name);
                ProtoWire.WriteStringField(n, 4, node.OpType);
            });
        }

        foreach (var tensor in initializers)
        {
            ProtoWire.WriteMessageField(output, GraphInitializer, t =>
            {
                foreach (var dim in tensor.Dims)
                {
                    ProtoWire.WriteVarintField(t, 1, dim);
                }

                ProtoWire.WriteVarintField(t, 2, TensorFloat);
                ProtoWire.WriteStringField(t, 8, tensor.Name);
                var raw = new byte[tensor.Values.Length * sizeof(float)];
                Buffer.BlockCopy(tensor.Values, 0, raw, 0, raw.Length);
                ProtoWire.WriteBytesField(t, 9, raw);
            });
        }

        foreach (var graphOutput in outputs)
        {
            ProtoWire.WriteMessageField(output, GraphOutput, v =>
            {
                ProtoWire.WriteStringField(v, 1, graphOutput.Name);
                ProtoWire.WriteMessageField(v, 2, type => ProtoWire.WriteMessageField(type, 1, tensorType =>
                {
                    ProtoWire.WriteVarintField(tensorType, 1, TensorFloat);
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
