using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using RerankCluster.Configuration;

namespace RerankCluster.Inference.Onnx;

/// <summary>How ONNX Runtime sessions are created on this process (section <c>OnnxRuntime</c>).</summary>
public sealed class OnnxRuntimeOptions
{
    public const string Section = "OnnxRuntime";

    /// <summary>Cpu or Cuda.</summary>
    public ExecutionProvider Provider { get; set; } = ExecutionProvider.Cpu;

    [SettingRange(0, int.MaxValue, ErrorMessage = "OnnxRuntime:CudaDeviceId must be {1} or more")]
    public int CudaDeviceId { get; set; }

    /// <summary>
    /// When Cuda is asked for but cannot load (no driver, no cuDNN), run on the CPU with one warning
    /// instead of refusing to start.
    /// </summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>Threads one inference call may use; 0 lets ONNX Runtime use every core.</summary>
    [SettingRange(0, int.MaxValue, ErrorMessage = "OnnxRuntime:IntraOpThreads must be {1} (all cores) or more")]
    public int IntraOpThreads { get; set; }

    [SettingRange(1, int.MaxValue, ErrorMessage = "OnnxRuntime:InterOpThreads must be {1} or more")]
    public int InterOpThreads { get; set; } = 1;

    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    public bool EnableMemoryArena { get; set; } = true;
}

[OptionsValidator]
public sealed partial class OnnxRuntimeOptionsValidator : IValidateOptions<OnnxRuntimeOptions>;
