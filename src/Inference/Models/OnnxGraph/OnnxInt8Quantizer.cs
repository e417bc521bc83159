using System.Runtime.InteropServices;
using System.Text;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// Dynamic int8 quantisation of an fp32 ONNX graph, done here in C#: every MatMul whose weight is a
/// constant 2-D float tensor becomes ONNX Runtime's DynamicQuantizeMatMul (com.microsoft) with the
/// weight stored as int8, symmetric, one scale per output column. Activations are quantised at run
/// time by the kernel. Small matrices (the one-logit head) stay fp32, where int8 would cost accuracy
/// and save nothing.
/// </summary>
public static class OnnxInt8Quantizer
{
    private const int ModelGraph = 7;
    private const int ModelOpsetImport = 8;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const string MicrosoftDomain = "com.microsoft";

    public sealed record Report(int QuantizedMatMuls, int KeptMatMuls, long Fp32WeightBytes, long Int8WeightBytes);

    public static byte[] Quantize(byte[] model, out Report report, int minimumDimension = 16)
    {
        var graphField = ProtoWire.ReadFields(model).First(f => f.Number == ModelGraph);
        var graph = model.AsMemory(graphField.PayloadStart, graphField.End - graphField.PayloadStart);
        var fields = ProtoWire.ReadFields(graph).ToList();
        var initializers = fields.Where(f => f.Number == GraphInitializer)
            .Select(f => OnnxTensorProto.Parse(graph.Slice(f.PayloadStart, f.End - f.PayloadStart)))
            .ToDictionary(t => t.Name);
        var nodes = fields.Where(f => f.Number == GraphNode)
            .Select(f => Node.Parse(graph.Slice(f.PayloadStart, f.End - f.PayloadStart)))
            .ToList();
        var uses = nodes.SelectMany(n => n.Inputs).GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());

        var quantized = new Dictionary<string, (byte[] Weights, float[] Scales, long K, long N)>();
        int kept = 0;
        foreach (var node in nodes.Where(n => n.OpType == "MatMul" && n.Domain.Length == 0 && n.Inputs.Count == 2))
        {
            if (!initializers.TryGetValue(node.Inputs[1], out var weight) || weight.DataType != OnnxTensorProto.Float || weight.Dims.Length != 2 ||
                weight.Dims.Min() < minimumDimension)
            {
                kept++;
                continue;
            }

            if (!quantized.ContainsKey(weight.Name))
            {
                quantized[weight.Name] = QuantizeColumns(weight.Floats(), weight.Dims[0], weight.Dims[1]);
            }
        }

        using var newGraph = new MemoryStream(graph.Length / 3);
        foreach (var field in fields)
        {
            switch (field.Number)
            {
                case GraphNode:
                    var node = Node.Parse(graph.Slice(field.PayloadStart, field.End - field.PayloadStart));
                    if (node.OpType == "MatMul" && node.Inputs.Count == 2 && quantized.ContainsKey(node.Inputs[1]))
                    {
                        ProtoWire.WriteMessageField(newGraph, GraphNode, n => WriteNode(n, node.Name, "DynamicQuantizeMatMul", MicrosoftDomain,
                            [node.Inputs[0], node.Inputs[1] + "_int8", node.Inputs[1] + "_scale"], node.Outputs));
                    }
                    else
                    {
                        newGraph.Write(graph.Span[field.Start..field.End]);
                    }

                    break;
                case GraphInitializer:
                    var tensor = initializers.Values.First(t => t.Bytes.Equals(graph.Slice(field.PayloadStart, field.End - field.PayloadStart)));
                    // A weight that only quantised MatMuls read is dropped: its int8 copy replaces it.
                    if (!quantized.ContainsKey(tensor.Name) || uses.GetValueOrDefault(tensor.Name) > nodes.Count(n => n.OpType == "MatMul" && n.Inputs.Count == 2 && n.Inputs[1] == tensor.Name))
                    {
                        newGraph.Write(graph.Span[field.Start..field.End]);
                    }

                    break;
                default:
                    newGraph.Write(graph.Span[field.Start..field.End]);
                    break;
            }
        }

        foreach (var (name, (weights, scales, k, n)) in quantized)
        {
            ProtoWire.WriteMessageField(newGraph, GraphInitializer, t => OnnxTensorProto.Write(t, name + "_int8", [k, n], OnnxTensorProto.Int8, weights));
            ProtoWire.WriteMessageField(newGraph, GraphInitializer, t => OnnxTensorProto.Write(t, name + "_scale", [n], OnnxTensorProto.Float,
                MemoryMarshal.AsBytes(scales.AsSpan()).ToArray()));
        }

        using var result = new MemoryStream(model.Length / 3);
        var hasMicrosoftOpset = false;
        foreach (var field in ProtoWire.ReadFields(model))
        {
            if (field.Number == ModelGraph)
            {
                ProtoWire.WriteBytesField(result, ModelGraph, newGraph.GetBuffer().AsSpan(0, (int)newGraph.Length));
                continue;
            }

            if (field.Number == ModelOpsetImport && OpsetDomain(model.AsMemory(field.PayloadStart, field.End - field.PayloadStart)) == MicrosoftDomain)
            {
                hasMicrosoftOpset = true;
            }

            result.Write(model, field.Start, field.End - field.Start);
        }

        if (!hasMicrosoftOpset)
        {
            ProtoWire.WriteMessageField(result, ModelOpsetImport, opset =>
            {
                ProtoWire.WriteStringField(opset, 1, MicrosoftDomain);
                ProtoWire.WriteVarintField(opset, 2, 1);
            });
        }

        var fp32Bytes = quantized.Sum(q => q.Value.K * q.Value.N * sizeof(float));
        var int8Bytes = quantized.Sum(q => q.Value.K * q.Value.N + q.Value.N * sizeof(float));
        report = new Report(nodes.Count(n => n.OpType == "MatMul" && n.Inputs.Count == 2 && quantized.ContainsKey(n.Inputs[1])), kept, fp32Bytes, int8Bytes);
        return result.ToArray();
    }

    /// <summary>Symmetric per-column int8: scale = max |w| / 127 over each column of the [K, N] weight.</summary>
    public static (byte[] Weights, float[] Scales, long K, long N) QuantizeColumns(float[] weights, long k, long n)
    {
        var scales = new float[n];
        for (var row = 0L; row < k; row++)
        {
            for (var column = 0L; column < n; column++)
            {
                scales[column] = Math.Max(scales[column], Math.Abs(weights[row * n + column]));
            }
        }

        for (var column = 0; column < n; column++)
        {
            scales[column] = scales[column] > 0 ? scales[column] / 127f : 1f;
        }

        var quantized = new byte[k * n];
        for (var row = 0L; row < k; row++)
        {
            for (var column = 0L; column < n; column++)
            {
                var value = (int)MathF.Round(weights[row * n + column] / scales[column]);
                quantized[row * n + column] = unchecked((byte)(sbyte)Math.Clamp(value, -127, 127));
            }
        }

        return (quantized, scales, k, n);
    }

    private static string OpsetDomain(ReadOnlyMemory<byte> opset)
    {
        var domain = ProtoWire.ReadFields(opset).FirstOrDefault(f => f.Number == 1 && f.WireType == ProtoWire.LengthDelimited);
        return domain.End == 0 ? "" : Encoding.UTF8.GetString(opset.Span[domain.PayloadStart..domain.End]);
    }

    private static void WriteNode(Stream output, string name, string opType, string domain, IEnumerable<string> inputs, IEnumerable<string> outputs)
    {
        foreach (var input in inputs)
        {
            ProtoWire.WriteStringField(output, 1, input);
        }

        foreach (var nodeOutput in outputs)
        {
            ProtoWire.WriteStringField(output, 2, nodeOutput);
        }

        ProtoWire.WriteStringField(output, 3, name);
        ProtoWire.WriteStringField(output, 4, opType);
        ProtoWire.WriteStringField(output, 7, domain);
    }

    private sealed record Node(string Name, string OpType, string Domain, List<string> Inputs, List<string> Outputs)
    {
        public static Node Parse(ReadOnlyMemory<byte> bytes)
        {
            string name = "", opType = "", domain = "";
            var inputs = new List<string>();
            var outputs = new List<string>();
            foreach (var field in ProtoWire.ReadFields(bytes).Where(f => f.WireType == ProtoWire.LengthDelimited))
            {
                var text = Encoding.UTF8.GetString(bytes.Span[field.PayloadStart..field.End]);
                switch (field.Number)
                {
                    case 1: inputs.Add(text); break;
                    case 2: outputs.Add(text); break;
                    case 3: name = text; break;
                    case 4: opType = text; break;
                    case 7: domain = text; break;
                }
            }

            return new Node(name, opType, domain, inputs, outputs);
        }
    }
}
