using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace RerankCluster.Inference.Onnx;

/// <summary>Creates inference sessions on the configured execution provider, falling back to the CPU when allowed.</summary>
public sealed class OnnxSessionFactory
{
    private readonly OnnxRuntimeOptions _options;
    private readonly ILogger _logger;
    private int _fallbackWarned;

    public OnnxSessionFactory(OnnxRuntimeOptions options, ILogger<OnnxSessionFactory>? logger = null)
    {
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Opens a session; <paramref name="provider"/> tells which provider it really runs on.</summary>
    public InferenceSession Create(string modelPath, out ExecutionProvider provider)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"ONNX model not found at '{modelPath}'.", modelPath);
        }

        if (_options.Provider == ExecutionProvider.Cuda)
        {
            SessionOptions? cuda = null;
            try
            {
                cuda = BaseOptions();
                cuda.AppendExecutionProvider_CUDA(_options.CudaDeviceId);
                provider = ExecutionProvider.Cuda;
                return new InferenceSession(modelPath, cuda);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                cuda?.Dispose();
                if (!_options.FallbackToCpu)
                {
                    throw new InvalidOperationException(
                        $"OnnxRuntime:Provider is Cuda but the CUDA execution provider could not load ({ex.Message}). " +
                        "Install the CUDA 12 runtime and cuDNN 9, or set OnnxRuntime:FallbackToCpu=true.", ex);
                }

                if (Interlocked.Exchange(ref _fallbackWarned, 1) == 0)
                {
                    _logger.LogWarning(ex,
                        "OnnxRuntime:Provider is Cuda but the CUDA execution provider could not load; running on the CPU instead. Reason: {Reason}",
                        ex.Message);
                }
            }
        }

        provider = ExecutionProvider.Cpu;
        return new InferenceSession(modelPath, BaseOptions());
    }

    private SessionOptions BaseOptions()
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = _options.GraphOptimizationLevel,
            EnableCpuMemArena = _options.EnableMemoryArena,
            InterOpNumThreads = _options.InterOpThreads,
            IntraOpNumThreads = _options.IntraOpThreads,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        options.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
        return options;
    }
}
