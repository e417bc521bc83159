using Microsoft.ML.OnnxRuntime;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Inference.Onnx;

/// <summary>
/// One ONNX Runtime session over a BERT-family graph: feeds the inputs the graph declares
/// (input_ids, attention_mask, token_type_ids) from an <see cref="EncodedBatch"/> and reads one output.
/// Safe to call from several threads at once, as ONNX Runtime sessions are.
/// </summary>
public sealed class BertOnnxSession : IDisposable
{
    private static readonly string[] KnownInputs = ["input_ids", "attention_mask", "token_type_ids"];
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

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
        _outputNames = [OutputName];
    }

    public ExecutionProvider Provider { get; }

    public string OutputName { get; }

    /// <summary>Declared output dimensions; -1 where symbolic.</summary>
    public int[] OutputDimensions { get; }

    /// <summary>Runs the batch and returns the chosen output flattened, with its shape.</summary>
    public float[] Run(EncodedBatch batch, out long[] shape)
    {
        long[] inputShape = [batch.Rows, batch.Width];
        var inputs = new OrtValue[_inputNames.Length];
        try
        {
            for (var i = 0; i < _inputNames.Length; i++)
            {
                var data = _inputNames[i] switch
                {
                    "input_ids" => batch.InputIds,
                    "attention_mask" => batch.AttentionMask,
                    _ => batch.TokenTypeIds,
                };
                inputs[i] = OrtValue.CreateTensorValueFromMemory(data, inputShape);
            }

            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, _inputNames, inputs, _outputNames);
            var output = outputs[0];
            shape = output.GetTensorTypeAndShape().Shape;
            return output.GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var input in inputs)
            {
                input?.Dispose();
            }
        }
    }

    public void Dispose() => _session.Dispose();
}
