using System.Runtime.InteropServices;
using Google.Protobuf;
using RerankCluster.Inference.Models.OnnxGraph.Schema;
using DataType = RerankCluster.Inference.Models.OnnxGraph.Schema.TensorProto.Types.DataType;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>Builds initializer TensorProtos from raw bytes and reads float ones back.</summary>
internal static class OnnxTensors
{
    public static TensorProto Create(string name, IEnumerable<long> dims, DataType dataType, byte[] raw)
    {
        // The arrays are never written again once wrapped, so the tensor need not copy them.
        var tensor = new TensorProto { Name = name, DataType = (int)dataType, RawData = UnsafeByteOperations.UnsafeWrap(raw) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    public static TensorProto Float(string name, IEnumerable<long> dims, float[] values) =>
        Create(name, dims, DataType.Float, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static bool IsFloat(TensorProto tensor) => tensor.DataType == (int)DataType.Float;

    /// <summary>A float tensor's values, whether exported as raw bytes or as the typed float_data field.</summary>
    public static float[] Floats(TensorProto tensor) =>
        tensor.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray() : tensor.FloatData.ToArray();
}
