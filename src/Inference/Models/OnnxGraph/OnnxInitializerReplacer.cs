using Google.Protobuf;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// Swaps the values of named float initializers in a graph, leaving every node as it is: how trained
/// weights go into the graph they were mapped from. Names and shapes must match exactly.
/// </summary>
public static class OnnxInitializerReplacer
{
    public static byte[] Replace(byte[] model, IReadOnlyDictionary<string, OnnxGraphSplicer.FloatTensor> replacements)
    {
        var proto = OnnxModelFile.Parse(model);
        var initializers = proto.Graph.Initializer;
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < initializers.Count; i++)
        {
            var tensor = initializers[i];
            if (!replacements.TryGetValue(tensor.Name, out var value))
            {
                continue;
            }

            if (!OnnxTensors.IsFloat(tensor) || !tensor.Dims.SequenceEqual(value.Dims))
            {
                throw new InvalidDataException(
                    $"Initializer '{tensor.Name}' is [{string.Join(", ", tensor.Dims)}] of type {tensor.DataType}; the replacement is float [{string.Join(", ", value.Dims)}].");
            }

            initializers[i] = OnnxTensors.Float(tensor.Name, tensor.Dims, value.Values);
            replaced.Add(tensor.Name);
        }

        var unused = replacements.Keys.Where(k => !replaced.Contains(k)).ToList();
        if (unused.Count > 0)
        {
            throw new InvalidDataException($"The graph has no initializer named {string.Join(", ", unused.Take(5).Select(n => $"'{n}'"))}.");
        }

        return proto.ToByteArray();
    }
}
