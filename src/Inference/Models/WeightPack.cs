using System.Text;
using RerankCluster.Inference.Models.OnnxGraph;

namespace RerankCluster.Inference.Models;

/// <summary>
/// Trained weights as the trainer writes them with --pack: "RCWP", version, count, then per tensor a
/// name, its dims and fp16 values, all little-endian. fp16 halves the file so a trained reranker fits
/// in the repository; the frozen word embeddings are left out, as the shipped encoder has them.
/// </summary>
public static class WeightPack
{
    private const uint Version = 1;

    public static IReadOnlyDictionary<string, OnnxGraphSplicer.FloatTensor> Read(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        if (reader.ReadUInt32() != 0x50574352 /* "RCWP" */)
        {
            throw new InvalidDataException($"'{path}' is not a weight pack (it does not start with RCWP).");
        }

        var version = reader.ReadUInt32();
        if (version != Version)
        {
            throw new InvalidDataException($"'{path}' is weight pack version {version}; this build reads version {Version}.");
        }

        var count = reader.ReadUInt32();
        var tensors = new Dictionary<string, OnnxGraphSplicer.FloatTensor>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = Encoding.UTF8.GetString(reader.ReadBytes(reader.ReadUInt16()));
            var dims = new long[reader.ReadByte()];
            for (var d = 0; d < dims.Length; d++)
            {
                dims[d] = reader.ReadInt64();
            }

            var values = new float[dims.Aggregate(1L, (a, b) => a * b)];
            for (var v = 0; v < values.Length; v++)
            {
                values[v] = (float)BitConverter.UInt16BitsToHalf(reader.ReadUInt16());
            }

            tensors[name] = new OnnxGraphSplicer.FloatTensor(name, dims, values);
        }

        return tensors;
    }
}
