using System.Runtime.InteropServices;
using RerankCluster.Inference.Models.OnnxGraph.Schema;
using DataType = RerankCluster.Inference.Models.OnnxGraph.Schema.TensorProto.Types.DataType;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// Mixed fp16 for GPUs, done here in C#: every MatMul with a constant 2-D float weight keeps its weight
/// in fp16 and runs in fp16 (tensor cores on CUDA), with its activation cast to fp16 once (shared by
/// every MatMul that reads it) and its result cast back. LayerNorm, softmax, GELU, the residual sums
/// and the outputs stay fp32, where fp16's range and precision would cost accuracy and save little.
/// </summary>
public static class OnnxFp16Converter
{
    private const long CastToFloat = 1;
    private const long CastToFloat16 = 10;

    public sealed record Report(int ConvertedMatMuls, int KeptMatMuls, long Fp32WeightBytes, long Fp16WeightBytes);

    public static byte[] Convert(byte[] model, out Report report, int minimumDimension = 16)
    {
        var graph = WeightedMatMulGraph.Parse(model, minimumDimension);
        var weights = graph.MatMuls.Select(graph.Weight).DistinctBy(w => w.Name).ToList();
        var cast = new HashSet<string>();
        var result = graph.Rewrite(node =>
        {
            var input = node.Input[0];
            var product = node.Output[0] + "_fp16";
            return
            [
                .. cast.Add(input) ? [OnnxNodes.Create(input + "/CastFp16", "Cast", "", [input], [input + "_fp16"], ("to", CastToFloat16))] : Array.Empty<NodeProto>(),
                OnnxNodes.Create(node.Name, "MatMul", "", [input + "_fp16", node.Input[1] + "_fp16"], [product]),
                OnnxNodes.Create(node.Name + "/CastFp32", "Cast", "", [product], node.Output, ("to", CastToFloat)),
            ];
        }, weights.Select(weight => OnnxTensors.Create(weight.Name + "_fp16", weight.Dims, DataType.Float16,
            MemoryMarshal.AsBytes(OnnxTensors.Floats(weight).Select(v => (Half)v).ToArray().AsSpan()).ToArray())));

        var fp32Bytes = weights.Sum(w => w.Dims[0] * w.Dims[1] * sizeof(float));
        report = new Report(graph.MatMuls.Count, graph.OtherMatMuls, fp32Bytes, fp32Bytes / 2);
        return result;
    }
}
