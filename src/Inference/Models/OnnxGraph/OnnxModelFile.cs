using Google.Protobuf;
using RerankCluster.Inference.Models.OnnxGraph.Schema;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>An ONNX model file read as the schema's <see cref="ModelProto"/>, refused when it holds no graph.</summary>
internal static class OnnxModelFile
{
    public static ModelProto Parse(byte[] model)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"The file is not an ONNX model: {ex.Message}", ex);
        }

        return proto.Graph is null ? throw new InvalidDataException("The file is not an ONNX model: it has no graph.") : proto;
    }

    /// <summary>Imports an operator domain at version 1 unless the model already imports it (nodes of that domain need it).</summary>
    public static void Import(ModelProto model, string domain)
    {
        if (model.OpsetImport.All(opset => opset.Domain != domain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = 1 });
        }
    }
}
