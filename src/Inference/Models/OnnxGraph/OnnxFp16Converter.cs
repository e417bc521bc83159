using System.Runtime.InteropServices;

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
        var result = graph.Rewrite((output, node) =>
        {
            var input = node.Inputs[0];
            if (cast.Add(input))
            {
                new OnnxNode(input + "/CastFp16", "Cast", "", [input], [input + "_fp16"]).WriteTo(output, ("to", CastToFloat16));
            }

            var product = node.Outputs[0] + "_fp16";
            new OnnxNode(node.Name, "MatMul", "", [input + "_fp16", node.Inputs[1] + "_fp16"], [product]).WriteTo(output);
            new OnnxNode(node.Name + "/CastFp32", "Cast", "", [product], node.Outputs).WriteTo(output, ("to", CastToFloat));
        }, output =>
        {
            foreach (var weight in weights)
            {
                var halves = weight.Floats().Select(v => (Half)v).ToArray();
                OnnxTensorProto.WriteInitializer(output, weight.Name + "_fp16", weight.Dims, OnnxTensorProto.Float16,
                    MemoryMarshal.AsBytes(halves.AsSpan()).ToArray());
            }
        });

        var fp32Bytes = weights.Sum(w => w.Dims[0] * w.Dims[1] * sizeof(float));
        report = new Report(graph.MatMuls.Count, graph.OtherMatMuls, fp32Bytes, fp32Bytes / 2);
        return result;
    }
}
