namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// An ONNX model whose MatMuls with a constant 2-D float weight are to be rewritten (quantised, cast):
/// parsed once, then written back with each such MatMul replaced by what the caller writes, the weights
/// only those MatMuls read dropped, the caller's initialisers added and the com.microsoft opset imported.
/// Everything else is copied byte for byte.
/// </summary>
internal sealed class WeightedMatMulGraph
{
    // Field numbers from onnx.proto (GraphProto).
    private const int GraphNode = 1;
    private const string MicrosoftDomain = "com.microsoft";

    private readonly byte[] _model;
    private readonly ReadOnlyMemory<byte> _graph;
    // Every field of the graph in order, with the node or initialiser it holds, parsed once.
    private readonly List<(ProtoWire.Field Field, OnnxNode? Node, OnnxTensorProto? Initializer)> _fields;
    private readonly Dictionary<string, OnnxTensorProto> _initializers;
    private readonly Dictionary<string, int> _uses;

    private WeightedMatMulGraph(byte[] model, int minimumDimension)
    {
        _model = model;
        _graph = OnnxModelProto.Graph(model);
        _fields = ProtoWire.ReadFields(_graph).Select(f => (f,
            f.Number == GraphNode ? OnnxNode.Parse(Payload(f)) : null,
            f.Number == OnnxTensorProto.GraphInitializer ? OnnxTensorProto.Parse(Payload(f)) : null)).ToList();
        _initializers = _fields.Select(f => f.Initializer).OfType<OnnxTensorProto>().ToDictionary(t => t.Name);
        var nodes = _fields.Select(f => f.Node).OfType<OnnxNode>().ToList();
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
    /// <param name="writeInitializers">Writes the new initialisers, with <see cref="OnnxTensorProto.WriteInitializer"/>.</param>
    public byte[] Rewrite(Action<Stream, OnnxNode> writeReplacement, Action<Stream> writeInitializers)
    {
        var rewritten = MatMuls.ToHashSet(ReferenceEqualityComparer.Instance);
        var weightReads = MatMuls.GroupBy(n => n.Inputs[1]).ToDictionary(g => g.Key, g => g.Count());
        using var graph = new MemoryStream(_graph.Length);
        foreach (var (field, node, initializer) in _fields)
        {
            if (node is not null && rewritten.Contains(node))
            {
                writeReplacement(graph, node);
                continue;
            }

            // A weight that only rewritten MatMuls read is dropped: the caller's copy replaces it.
            if (initializer is not null && weightReads.TryGetValue(initializer.Name, out var reads) && _uses.GetValueOrDefault(initializer.Name) == reads)
            {
                continue;
            }

            graph.Write(_graph.Span[field.Start..field.End]);
        }

        writeInitializers(graph);

        return OnnxModelProto.WithGraph(_model, graph, MicrosoftDomain);
    }

    private ReadOnlyMemory<byte> Payload(ProtoWire.Field field) => _graph.Slice(field.PayloadStart, field.End - field.PayloadStart);
}
