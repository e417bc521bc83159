using Google.Protobuf;
using RerankCluster.Inference.Models.OnnxGraph.Schema;
using DataType = RerankCluster.Inference.Models.OnnxGraph.Schema.TensorProto.Types.DataType;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>Adds nodes and initialisers to an ONNX model's graph and replaces its outputs.</summary>
public static class OnnxGraphSplicer
{
    public sealed record FloatTensor(string Name, IReadOnlyList<long> Dims, float[] Values);

    /// <summary>
    /// A graph output of element type float; a null dimension is symbolic (named <c>batch</c>), and null
    /// dimensions leave the shape undeclared.
    /// </summary>
    public sealed record FloatOutput(string Name, IReadOnlyList<long?>? Dims);

    /// <summary>Returns the graph names that the model declares as outputs.</summary>
    public static IReadOnlyList<string> OutputNames(byte[] model) => OnnxModelFile.Parse(model).Graph.Output.Select(o => o.Name).ToList();

    internal static byte[] Splice(byte[] model, IEnumerable<NodeProto> nodes, IEnumerable<FloatTensor> initializers, IEnumerable<FloatOutput> outputs)
    {
        var proto = OnnxModelFile.Parse(model);
        var graph = proto.Graph;
        graph.Node.AddRange(nodes);
        graph.Initializer.AddRange(initializers.Select(t => OnnxTensors.Float(t.Name, t.Dims, t.Values)));
        graph.Output.Clear();
        graph.Output.AddRange(outputs.Select(Output));
        return proto.ToByteArray();
    }

    private static ValueInfoProto Output(FloatOutput output)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float };
        if (output.Dims is not null)
        {
            tensor.Shape = new TensorShapeProto();
            tensor.Shape.Dim.AddRange(output.Dims.Select(dim => dim is { } size
                ? new TensorShapeProto.Types.Dimension { DimValue = size }
                : new TensorShapeProto.Types.Dimension { DimParam = "batch" }));
        }

        return new ValueInfoProto { Name = output.Name, Type = new TypeProto { TensorType = tensor } };
    }
}
