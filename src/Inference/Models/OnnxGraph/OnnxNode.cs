using System.Text;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// An ONNX NodeProto's name, operator, domain (empty: the default ONNX domain) and tensor names;
/// attributes are only written, never read.
/// </summary>
public sealed record OnnxNode(string Name, string OpType, string Domain, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs)
{
    // Field numbers from onnx.proto (GraphProto.node, NodeProto, AttributeProto).
    private const int GraphNode = 1;
    private const int NodeAttribute = 5;

    internal static OnnxNode Parse(ReadOnlyMemory<byte> bytes)
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

        return new OnnxNode(name, opType, domain, inputs, outputs);
    }

    /// <summary>Writes this node, with integer attributes, as a node field of the graph being written.</summary>
    internal void WriteTo(Stream graph, params (string Name, long Value)[] attributes) =>
        ProtoWire.WriteMessageField(graph, GraphNode, node =>
        {
            foreach (var input in Inputs)
            {
                ProtoWire.WriteStringField(node, 1, input);
            }

            foreach (var output in Outputs)
            {
                ProtoWire.WriteStringField(node, 2, output);
            }

            ProtoWire.WriteStringField(node, 3, Name);
            ProtoWire.WriteStringField(node, 4, OpType);
            foreach (var (name, value) in attributes)
            {
                ProtoWire.WriteMessageField(node, NodeAttribute, attribute =>
                {
                    const int attributeName = 1, attributeInt = 3, attributeType = 20, typeInt = 2;
                    ProtoWire.WriteStringField(attribute, attributeName, name);
                    ProtoWire.WriteVarintField(attribute, attributeInt, value);
                    ProtoWire.WriteVarintField(attribute, attributeType, typeInt);
                });
            }

            if (Domain.Length > 0)
            {
                ProtoWire.WriteStringField(node, 7, Domain);
            }
        });
}
