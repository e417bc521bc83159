using System.Runtime.InteropServices;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// Swaps the values of named float initializers in a graph, leaving every node as it is: how trained
/// weights go into the graph they were mapped from. Names and shapes must match exactly.
/// </summary>
public static class OnnxInitializerReplacer
{
    private const int ModelGraph = 7;
    private const int GraphInitializer = 5;

    public static byte[] Replace(byte[] model, IReadOnlyDictionary<string, OnnxGraphSplicer.FloatTensor> replacements)
    {
        var graphField = ProtoWire.ReadFields(model).First(f => f.Number == ModelGraph);
        var graph = model.AsMemory(graphField.PayloadStart, graphField.End - graphField.PayloadStart);
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        using var newGraph = new MemoryStream(graph.Length);
        foreach (var field in ProtoWire.ReadFields(graph))
        {
            if (field.Number == GraphInitializer)
            {
                var tensor = OnnxTensorProto.Parse(graph.Slice(field.PayloadStart, field.End - field.PayloadStart));
                if (replacements.TryGetValue(tensor.Name, out var value))
                {
                    if (tensor.DataType != OnnxTensorProto.Float || !tensor.Dims.SequenceEqual(value.Dims))
                    {
                        throw new InvalidDataException(
                            $"Initializer '{tensor.Name}' is [{string.Join(", ", tensor.Dims)}] of type {tensor.DataType}; the replacement is float [{string.Join(", ", value.Dims)}].");
                    }

                    ProtoWire.WriteMessageField(newGraph, GraphInitializer, t => OnnxTensorProto.Write(t, tensor.Name, tensor.Dims, OnnxTensorProto.Float,
                        MemoryMarshal.AsBytes(value.Values.AsSpan()).ToArray()));
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

        using var result = new MemoryStream(model.Length);
        foreach (var field in ProtoWire.ReadFields(model))
        {
            if (field.Number == ModelGraph)
            {
                ProtoWire.WriteBytesField(result, ModelGraph, newGraph.GetBuffer().AsSpan(0, (int)newGraph.Length));
            }
            else
            {
                result.Write(model, field.Start, field.End - field.Start);
            }
        }

        return result.ToArray();
    }
}
