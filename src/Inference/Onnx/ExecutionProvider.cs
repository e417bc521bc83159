namespace RerankCluster.Inference.Onnx;

public enum ExecutionProvider
{
    Cpu,
    Cuda,
}
