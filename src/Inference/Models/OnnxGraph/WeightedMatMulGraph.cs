using Google.Protobuf;
using RerankCluster.Inference.Models.OnnxGraph.Schema;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// An ONNX model whose MatMuls with a constant 2-D float weight are to be rewritten (quantised, cast):
/// parsed once, then written back with each such MatMul replaced by the caller's nodes, the weights
/// only those MatMuls read dropped, the caller's initialisers added and the com.microsoft opset imported.
/// </summary>
internal sealed class WeightedMatMulGraph
{
    private const string MicrosoftDomain = "com.microsoft";

    private readonly ModelProto _model;
    private readonly Dictionary<string, TensorProto> _initializers;
    private readonly Dictionary<string, int> _uses;

    private WeightedMatMulGraph(byte[] model, int minimumDimension)
    {
        _model = OnnxModelFile.Parse(model);
        var graph = _model.Graph;
        _initializers = graph.Initializer.ToDictionary(t => t.Name);
        _uses = graph.Node.SelectMany(n => n.Input).GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        var matMuls = graph.Node.Where(n => n.OpType == "MatMul" && n.Domain.Length == 0 && n.Input.Count == 2).ToList();
        MatMuls = matMuls.Where(n => _initializers.TryGetValue(n.Input[1], out var weight) && OnnxTensors.IsFloat(weight) &&
            weight.Dims.Count == 2 && weight.Dims.Min() >= minimumDimension).ToList();
        OtherMatMuls = matMuls.Count - MatMuls.Count;
    }

    /// <summary>The MatMuls to rewrite: constant float weight [K, N], both at least the minimum dimension.</summary>
    public IReadOnlyList<NodeProto> MatMuls { get; }

    /// <summary>MatMuls left as they are (activation × activation, or a small weight such as a one-logit head).</summary>
    public int OtherMatMuls { get; }

    public static WeightedMatMulGraph Parse(byte[] model, int minimumDimension) => new(model, minimumDimension);

    public TensorProto Weight(NodeProto matMul) => _initializers[matMul.Input[1]];

    /// <param name="replace">The node(s) that replace one MatMul, asked once per MatMul in graph order.</param>
    /// <param name="initializers">The new initialisers.</param>
    public byte[] Rewrite(Func<NodeProto, IEnumerable<NodeProto>> replace, IEnumerable<TensorProto> initializers)
    {
        var rewritten = MatMuls.ToHashSet(ReferenceEqualityComparer.Instance);
        var weightReads = MatMuls.GroupBy(n => n.Input[1]).ToDictionary(g => g.Key, g => g.Count());
        var model = _model.Clone();
        var graph = model.Graph;
        graph.Node.Clear();
        graph.Node.AddRange(_model.Graph.Node.SelectMany(node => rewritten.Contains(node) ? replace(node) : [node]).ToList());
        graph.Initializer.Clear();
        // A weight that only rewritten MatMuls read is dropped: the caller's copy replaces it.
        graph.Initializer.AddRange(_model.Graph.Initializer
            .Where(t => !(weightReads.TryGetValue(t.Name, out var reads) && _uses.GetValueOrDefault(t.Name) == reads))
            .Concat(initializers)
            .ToList());
        OnnxModelFile.Import(model, MicrosoftDomain);
        return model.ToByteArray();
    }
}
