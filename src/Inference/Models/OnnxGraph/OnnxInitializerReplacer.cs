using System.Runtime.InteropServices;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// Swaps the values of named float initializers in a graph, leaving every node as it is: how trained
/// weights go into the graph they were mapped from. Names and shapes must match exactly.
/// </summary>
public static class OnnxInitializerReplacer
{

    public static byte[] Replace(byte[] model, IReadOnlyDictionary<string, OnnxGraphSplicer.FloatTensor> replacements)
    {
        var graph = OnnxModelProto.Graph(model);
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        using var newGraph = new MemoryStream(graph.Length);
        foreach (var field in ProtoWire.ReadFields(graph))
        {
            if (field.Number == OnnxTensorProto.GraphInitializer)
            {
                var tensor = OnnxTensorProto.Parse(graph.Slice(field.PayloadStart, field.End - field.PayloadStart));
                if (replacements.TryGetValue(tensor.Name, out var value))
                {
                    if (tensor.DataType != OnnxTensorProto.Float || !tensor.Dims.SequenceEqual(value.Dims))
                    {
                        throw new InvalidDataException(
                            $"Initializer '{tensor.Name}' is [{string.Join(", ", tensor.Dims)}] of type {tensor.DataType}; the replacement is float [{string.Join(", ", value.Dims)}].");
                    }

                    OnnxTensorProto.WriteInitializer(newGraph, tensor.Name, tensor.Dims, OnnxTensorProto.Float,
                        MemoryMarshal.AsBytes(value.Values.AsSpan()).ToArray());
                    replaced.Add(tensor.Name);
                    continue;
                }
            }

            newGraph.Write(graph.Span[field.Start..field.End]);
        }

        var unused = replacements.Keys.Where(k => !replaced.Contains(k)).ToList();
        if (unused.Count > 0)
        {
            throw new InvalidDataException($"The graph has no initializer named {string.Join(", ", unused.Take(5).Select(n => $"'{n}'"))}.");
        }

        return OnnxModelProto.WithGraph(model, newGraph);
    }
}
