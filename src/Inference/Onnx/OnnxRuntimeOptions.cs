using Microsoft.ML.OnnxRuntime;

namespace RerankCluster.Inference.Onnx;

/// <summary>How ONNX Runtime sessions are created on this process (section <c>OnnxRuntime</c>).</summary>
public sealed class OnnxRuntimeOptions : RerankCluster.Configuration.ISelfValidatingOptions
{
    public const string Section = "OnnxRuntime";

    /// <summary>Cpu or Cuda.</summary>
    public ExecutionProvider Provider { get; set; } = ExecutionProvider.Cpu;

    public int CudaDeviceId { get; set; }

    /// <summary>
    /// When Cuda is asked for but cannot load (no driver, no cuDNN), run on the CPU with one warning
    /// instead of refusing to start.
    /// </summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>Threads one inference call may use; 0 lets ONNX Runtime use every core.</summary>
    public int IntraOpThreads { get; set; }

    public int InterOpThreads { get; set; } = 1;

    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    public bool EnableMemoryArena { get; set; } = true;

    public IEnumerable<string> Validate()
    {
        if (CudaDeviceId < 0)
        {
            yield return $"{Section}:CudaDeviceId must be 0 or more (got {CudaDeviceId}).";
        }

        if (IntraOpThreads < 0)
        {
            yield return $"{Section}:IntraOpThreads must be 0 (all cores) or more (got {IntraOpThreads}).";
        }

        if (InterOpThreads < 1)
        {
            yield return $"{Section}:InterOpThreads must be 1 or more (got {InterOpThreads}).";
        }
    }
}
