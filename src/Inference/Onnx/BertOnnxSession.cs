using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Inference.Onnx;

/// <summary>Reads a model's output in place, while ONNX Runtime still owns it.</summary>
public delegate TResult OutputReader<out TResult>(ReadOnlySpan<float> output, ReadOnlySpan<long> shape);

/// <summary>
/// One ONNX Runtime session over a BERT-family graph: feeds the inputs the graph declares
/// (input_ids, attention_mask, token_type_ids) from an <see cref="EncodedBatch"/> and reads one output.
/// Runs go through I/O bindings: the inputs are bound straight from the batch's (pooled) memory and the
/// output is bound to CPU memory, so on CUDA the inputs are copied to the device once and the output
/// back once, with no intermediate tensors; on the CPU nothing is copied. Bindings are reused across
/// calls. Safe to call from several threads at once, as ONNX Runtime sessions are, and safe to dispose
/// while runs are in flight: the native session is released when the last run leaves, since freeing
/// it under a running call corrupts ONNX Runtime's thread pool and kills the process.
/// </summary>
public sealed class BertOnnxSession : IDisposable
{
    private static readonly string[] KnownInputs = ["input_ids", "attention_mask", "token_type_ids"];
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly RunOptions _runOptions = new();
    private readonly OrtMemoryInfo _cpuMemory = OrtMemoryInfo.DefaultInstance;
    private readonly ConcurrentBag<OrtIoBinding> _bindings = [];
    private readonly object _gate = new();
    private int _runsInFlight;
    private bool _disposed;

    public BertOnnxSession(InferenceSession session, ExecutionProvider provider, Func<IReadOnlyDictionary<string, NodeMetadata>, string> chooseOutput)
    {
        _session = session;
        Provider = provider;
        _inputNames = session.InputMetadata.Keys.ToArray();
        var unknown = _inputNames.Except(KnownInputs).ToArray();
        if (unknown.Length > 0 || !_inputNames.Contains("input_ids"))
        {
            throw new NotSupportedException(
                $"The graph's inputs ({string.Join(", ", _inputNames)}) are not a BERT-family export: expected input_ids and optionally attention_mask, token_type_ids.");
        }

        OutputName = chooseOutput(session.OutputMetadata);
        OutputDimensions = session.OutputMetadata[OutputName].Dimensions;
        if (session.OutputMetadata[OutputName].ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
        {
            throw new NotSupportedException(
                $"The graph's output '{OutputName}' is {session.OutputMetadata[OutputName].ElementDataType}; float32 is expected (an fp16 graph must cast its output back).");
        }
    }

    public ExecutionProvider Provider { get; }

    public string OutputName { get; }

    /// <summary>Declared output dimensions; -1 where symbolic.</summary>
    public int[] OutputDimensions { get; }

    /// <summary>Runs the batch and returns the chosen output flattened, with its shape.</summary>
    public float[] Run(EncodedBatch batch, out long[] shape)
    {
        var (values, outputShape) = Run(batch, static (output, dims) => (output.ToArray(), dims.ToArray()));
        shape = outputShape;
        return values;
    }

    /// <summary>Runs the batch and hands the output to <paramref name="read"/> without copying it.</summary>
    public TResult Run<TResult>(EncodedBatch batch, OutputReader<TResult> read)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _runsInFlight++;
        }

        try
        {
            return RunBound(batch, read);
        }
        finally
        {
            bool release;
            lock (_gate)
            {
                release = --_runsInFlight == 0 && _disposed;
            }

            if (release)
            {
                Release();
            }
        }
    }

    private TResult RunBound<TResult>(EncodedBatch batch, OutputReader<TResult> read)
    {
        long[] inputShape = [batch.Rows, batch.Width];
        var binding = _bindings.TryTake(out var reused) ? reused : _session.CreateIoBinding();
        var inputs = new OrtValue?[_inputNames.Length];
        try
        {
            for (var i = 0; i < _inputNames.Length; i++)
            {
                inputs[i] = OrtValue.CreateTensorValueFromMemory(_cpuMemory, batch.Input(_inputNames[i]), inputShape);
                binding.BindInput(_inputNames[i], inputs[i]);
            }

            binding.BindOutputToDevice(OutputName, _cpuMemory);
            _session.RunWithBinding(_runOptions, binding);
            binding.SynchronizeBoundOutputs();
            using var outputs = binding.GetOutputValues();
            var output = outputs[0];
            return read(output.GetTensorDataAsSpan<float>(), output.GetTensorTypeAndShape().Shape);
        }
        finally
        {
            binding.ClearBoundInputs();
            binding.ClearBoundOutputs();
            _bindings.Add(binding);
            foreach (var input in inputs)
            {
                input?.Dispose();
            }
        }
    }

    /// <summary>Refuses new runs; the native session goes when the last run in flight has finished.</summary>
    public void Dispose()
    {
        bool release;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            release = _runsInFlight == 0;
        }

        if (release)
        {
            Release();
        }
    }

    private void Release()
    {
        while (_bindings.TryTake(out var binding))
        {
            binding.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
    }
}
