using Microsoft.ML.OnnxRuntime;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Inference.Models.OnnxGraph;

/// <summary>
/// Measures the per-channel range (max |x| over every token seen) of chosen activations of an fp32
/// graph, by exposing them as outputs and running calibration batches through it on the CPU.
/// </summary>
public static class ActivationRangeCalibrator
{
    /// <param name="activations">Tensor names with their channel count (the last dimension).</param>
    public static Dictionary<string, float[]> Measure(byte[] model, IReadOnlyDictionary<string, long> activations, IEnumerable<EncodedBatch> batches)
    {
        var names = activations.Keys.ToArray();
        var ranges = names.ToDictionary(n => n, n => new float[activations[n]]);
        if (names.Length == 0)
        {
            return ranges;
        }

        var probe = OnnxGraphSplicer.Splice(model, [], [], names.Select(n => new OnnxGraphSplicer.FloatOutput(n, null)));
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(probe, options);
        using var runOptions = new RunOptions();
        var inputNames = session.InputMetadata.Keys.ToArray();
        foreach (var batch in batches)
        {
            long[] shape = [batch.Rows, batch.Width];
            var inputs = inputNames.Select(n => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch.Input(n), shape)).ToArray();
            try
            {
                using var outputs = session.Run(runOptions, inputNames, inputs, names);
                for (var i = 0; i < names.Length; i++)
                {
                    Accumulate(ranges[names[i]], outputs[i].GetTensorDataAsSpan<float>(), names[i]);
                }
            }
            finally
            {
                foreach (var input in inputs)
                {
                    input.Dispose();
                }
            }
        }

        return ranges;
    }

    private static void Accumulate(float[] range, ReadOnlySpan<float> values, string name)
    {
        if (values.Length % range.Length != 0)
        {
            throw new InvalidDataException($"Activation '{name}' has {values.Length} values, not a multiple of its {range.Length} channels.");
        }

        for (var offset = 0; offset < values.Length; offset += range.Length)
        {
            var token = values.Slice(offset, range.Length);
            for (var j = 0; j < range.Length; j++)
            {
                range[j] = Math.Max(range[j], Math.Abs(token[j]));
            }
        }
    }
}
