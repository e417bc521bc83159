using RerankCluster.Inference.Models.OnnxGraph.Schema;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>Builds the NodeProtos the graph rewriters add.</summary>
internal static class OnnxNodes
{
    /// <param name="domain">Empty for the default ONNX domain.</param>
    /// <param name="attributes">Integer attributes, the only kind the rewriters set.</param>
    public static NodeProto Create(string name, string opType, string domain, IEnumerable<string> inputs, IEnumerable<string> outputs,
        params (string Name, long Value)[] attributes)
    {
        var node = new NodeProto { Name = name, OpType = opType };
        if (domain.Length > 0)
        {
            node.Domain = domain;
        }

        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes.Select(a => new AttributeProto { Name = a.Name, I = a.Value, Type = AttributeProto.Types.AttributeType.Int }));
        return node;
    }
}
