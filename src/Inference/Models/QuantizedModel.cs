using RerankCluster.Inference.Models.OnnxGraph;

namespace RerankCluster.Inference.Models;

/// <summary>
/// The dynamically quantised int8 copy of an fp32 model, made once with <see cref="OnnxInt8Quantizer"/>
/// and kept in the model cache beside the original's tokenizer files.
/// </summary>
public static class QuantizedModel
{
    public const string Suffix = "--int8-dynamic";
    private static readonly string[] CompanionFiles = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json"];
    private static readonly object Gate = new();

    public static ModelFiles Ensure(ModelFiles source, string cacheDirectory)
    {
        var directory = Path.Combine(cacheDirectory, ModelStoreOptions.CacheFolderName(source.Name) + Suffix);
        lock (Gate)
        {
            if (!File.Exists(Path.Combine(directory, "model.onnx")))
            {
                Directory.CreateDirectory(directory);
                foreach (var file in CompanionFiles.Where(f => File.Exists(Path.Combine(source.Directory, f))))
                {
                    File.Copy(Path.Combine(source.Directory, file), Path.Combine(directory, file), overwrite: true);
                }

                var quantized = OnnxInt8Quantizer.Quantize(File.ReadAllBytes(source.OnnxPath), out _);
                AtomicFile.Write(Path.Combine(directory, "model.onnx"), quantized);
            }
        }

        return ModelFiles.Open(directory, source.Name + Suffix);
    }
}
