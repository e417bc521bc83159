namespace RerankCluster.Inference.Onnx;

public enum ExecutionProvider
{
    Cpu,
    Cuda,

    /// <summary>No model runs: a <see cref="Simulation.SimulatedAccelerator"/> waits for a modelled time (scale tests only).</summary>
    Simulated,
}
