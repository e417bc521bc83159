using RerankCluster.Inference.Models.OnnxGraph;

namespace RerankCluster.Inference.Models;

/// <summary>
/// The int8 or fp16 copy of an fp32 model (see <see cref="ModelPrecision"/>), made once and kept in the
/// model cache beside the original's tokenizer files. The int8 copies are quantised by
/// <see cref="OnnxInt8Quantizer"/> with activation ranges measured on <see cref="QuantizationCalibration"/>;
/// the fp16 copy is made by <see cref="OnnxFp16Converter"/>.
/// </summary>
public static class ReducedPrecisionModel
{
    private static readonly string[] CompanionFiles = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json"];
    private static readonly StampedModelCache Cache = new(stampFile: "source.sha256", "model.onnx");

    /// <summary>What the copy's folder and model name end with; the version changes whenever the conversion does.</summary>
    public static string Suffix(ModelPrecision precision) => precision switch
    {
        ModelPrecision.Int8 => "--int8-mixed-v1",
        ModelPrecision.Int8Dynamic => "--int8-dynamic-v2",
        ModelPrecision.Fp16 => "--fp16-matmul-v1",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "fp32 is the model itself."),
    };

    /// <summary>The model in <paramref name="precision"/>: the model itself for fp32, else its converted copy.</summary>
    public static ModelFiles Ensure(ModelFiles source, string cacheDirectory, ModelPrecision precision)
    {
        if (precision == ModelPrecision.Fp32)
        {
            return source;
        }

        var suffix = Suffix(precision);
        var directory = Path.Combine(cacheDirectory, ModelStoreOptions.CacheFolderName(source.Name) + suffix);
        // A source rebuilt or re-pulled under the same name (a new trained pack, an updated hub model) must not find the old copy.
        return Cache.Ensure(directory, source.Name + suffix, built => Build(source, precision, built), SourceStamp.Of(source.OnnxPath));
    }

    private static void Build(ModelFiles source, ModelPrecision precision, string directory)
    {
        foreach (var file in CompanionFiles.Where(f => File.Exists(Path.Combine(source.Directory, f))))
        {
            File.Copy(Path.Combine(source.Directory, file), Path.Combine(directory, file));
        }

        AtomicFile.Write(Path.Combine(directory, "model.onnx"), Convert(source, precision));
    }

    private static byte[] Convert(ModelFiles source, ModelPrecision precision)
    {
        var fp32 = File.ReadAllBytes(source.OnnxPath);
        if (precision == ModelPrecision.Fp16)
        {
            return OnnxFp16Converter.Convert(fp32, out _);
        }

        return OnnxInt8Quantizer.Quantize(fp32, out _, Calibrate(source, fp32), blockwiseDownProjections: precision == ModelPrecision.Int8);
    }

    /// <summary>Per-channel ranges of the activations the int8 MatMuls read, over the calibration text.</summary>
    public static Dictionary<string, float[]> Calibrate(ModelFiles source, byte[] fp32)
    {
        var batches = QuantizationCalibration.Batches(source.CreateTokenizer()).ToList();
        try
        {
            return ActivationRangeCalibrator.Measure(fp32, OnnxInt8Quantizer.QuantizedInputs(fp32), batches);
        }
        finally
        {
            batches.ForEach(b => b.Dispose());
        }
    }
}
