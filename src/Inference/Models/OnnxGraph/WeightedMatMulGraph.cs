using System.Text;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// An ONNX model whose MatMuls with a constant 2-D float weight are to be rewritten (quantised, cast):
/// parsed once, then written back with each such MatMul replaced by what the caller writes, the weights
/// only those MatMuls read dropped, the caller's initialisers added and the com.microsoft opset imported.
/// Everything else is copied byte for byte.
/// </summary>
internal sealed class WeightedMatMulGraph
{
    // Field numbers from onnx.proto (ModelProto, GraphProto, OperatorSetIdProto).
    private const int ModelGraph = 7;
    private const int ModelOpsetImport = 8;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const string MicrosoftDomain = "com.microsoft";

    private readonly byte[] _model;
    private readonly ReadOnlyMemory<byte> _graph;
    private readonly List<ProtoWire.Field> _fields;
    private readonly Dictionary<string, OnnxTensorProto> _initializers;
    private readonly Dictionary<string, int> _uses;

    private WeightedMatMulGraph(byte[] model, int minimumDimension)
    {
        _model = model;
        var graphField = ProtoWire.ReadFields(model).FirstOrDefault(f => f.Number == ModelGraph);
        if (graphField.End == 0)
        {
            throw new InvalidDataException("The file is not an ONNX model: it has no graph.");
        }

        _graph = model.AsMemory(graphField.PayloadStart, graphField.End - graphField.PayloadStart);
        _fields = ProtoWire.ReadFields(_graph).ToList();
        _initializers = _fields.Where(f => f.Number == GraphInitializer)
            .Select(f => OnnxTensorProto.Parse(Payload(f)))
            .ToDictionary(t => t.Name);
        var nodes = _fields.Where(f => f.Number == GraphNode).Select(f => OnnxNode.Parse(Payload(f))).ToList();
        _uses = nodes.SelectMany(n => n.Inputs).GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        var matMuls = nodes.Where(n => n.OpType == "MatMul" && n.Domain.Length == 0 && n.Inputs.Count == 2).ToList();
        MatMuls = matMuls.Where(n => _initializers.TryGetValue(n.Inputs[1], out var weight) && weight.DataType == OnnxTensorProto.Float &&
            weight.Dims.Length == 2 && weight.Dims.Min() >= minimumDimension).ToList();
        OtherMatMuls = matMuls.Count - MatMuls.Count;
    }

    /// <summary>The MatMuls to rewrite: constant float weight [K, N], both at least the minimum dimension.</summary>
    public IReadOnlyList<OnnxNode> MatMuls { get; }

    /// <summary>MatMuls left as they are (activation × activation, or a small weight such as a one-logit head).</summary>
    public int OtherMatMuls { get; }

    public static WeightedMatMulGraph Parse(byte[] model, int minimumDimension) => new(model, minimumDimension);

    public OnnxTensorProto Weight(OnnxNode matMul) => _initializers[matMul.Inputs[1]];

    /// <param name="writeReplacement">Writes the node(s) that replace one MatMul, with <see cref="OnnxNode.WriteTo"/>.</param>
    /// <param name="writeInitializers">Writes the new initialisers, with <see cref="WriteInitializer"/>.</param>
    public byte[] Rewrite(Action<Stream, OnnxNode> writeReplacement, Action<Stream> writeInitializers)
    {
        var rewritten = MatMuls.Select(n => n.Outputs[0]).ToHashSet();
        var weightReads = MatMuls.GroupBy(n => n.Inputs[1]).ToDictionary(g => g.Key, g => g.Count());
        using var graph = new MemoryStream(_graph.Length);
        foreach (var field in _fields)
        {
            if (field.Number == GraphNode && OnnxNode.Parse(Payload(field)) is var node && node.Outputs.Count > 0 && rewritten.Contains(node.Outputs[0]) &&
                node.OpType == "MatMul")
            {
                writeReplacement(graph, node);
                continue;
            }

            // A weight that only rewritten MatMuls read is dropped: the caller's copy replaces it.
            if (field.Number == GraphInitializer && OnnxTensorProto.Parse(Payload(field)).Name is var name &&
                weightReads.TryGetValue(name, out var reads) && _uses.GetValueOrDefault(name) == reads)
            {
                continue;
            }

            graph.Write(_graph.Span[field.Start..field.End]);
        }

        writeInitializers(graph);

        using var result = new MemoryStream(_model.Length);
        var hasMicrosoftOpset = false;
        foreach (var field in ProtoWire.ReadFields(_model))
        {
            if (field.Number == ModelGraph)
            {
                ProtoWire.WriteBytesField(result, ModelGraph, graph.GetBuffer().AsSpan(0, (int)graph.Length));
                continue;
            }

            if (field.Number == ModelOpsetImport && OpsetDomain(_model.AsMemory(field.PayloadStart, field.End - field.PayloadStart)) == MicrosoftDomain)
            {
                hasMicrosoftOpset = true;
            }

            result.Write(_model, field.Start, field.End - field.Start);
        }

        if (!hasMicrosoftOpset)
        {
            ProtoWire.WriteMessageField(result, ModelOpsetImport, opset =>
            {
                ProtoWire.WriteStringField(opset, 1, MicrosoftDomain);
                ProtoWire.WriteVarintField(opset, 2, 1);
            });
        }

        return result.ToArray();
    }

    public static void WriteInitializer(Stream graph, string name, long[] dims, int dataType, byte[] raw) =>
        ProtoWire.WriteMessageField(graph, GraphInitializer, t => OnnxTensorProto.Write(t, name, dims, dataType, raw));

    private ReadOnlyMemory<byte> Payload(ProtoWire.Field field) => _graph.Slice(field.PayloadStart, field.End - field.PayloadStart);

    private static string OpsetDomain(ReadOnlyMemory<byte> opset)
    {
        var domain = ProtoWire.ReadFields(opset).FirstOrDefault(f => f.Number == 1 && f.WireType == ProtoWire.LengthDelimited);
        return domain.End == 0 ? "" : Encoding.UTF8.GetString(opset.Span[domain.PayloadStart..domain.End]);
    }
}
