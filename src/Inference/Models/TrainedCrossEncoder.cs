namespace RerankCluster.Inference.Models;

/// <summary>
/// The reranker this project trained itself (see its model card, models/minilm-l6-debian-reranker): its
/// weights ship with the build as an fp16 <see cref="WeightPack"/>, and the graph is rebuilt into the
/// model cache from the shipped MiniLM encoder with the trained weights swapped in. The offline default
/// cross-encoder wherever no other is configured.
/// </summary>
public static class TrainedCrossEncoder
{
    public const string Name = "rerankcluster/minilm-l6-debian-reranker";
    public const string PackFile = "weights.f16";

    /// <summary>Beside the pack: how the model is meant to be served, e.g. <c>{"stage1_weight": 0.4}</c>, as fitted on training splits.</summary>
    public const string ServingFile = "serving.json";
    private static readonly StampedModelCache Cache = new(stampFile: "weights.sha256", "model.onnx");

    /// <summary>Where the build puts the shipped pack and its model card.</summary>
    public static string ShippedDirectory => Path.Combine(AppContext.BaseDirectory, "shipped-models", "minilm-l6-debian-reranker");

    public static bool IsShipped => File.Exists(Path.Combine(ShippedDirectory, PackFile));

    public static ModelFiles Ensure(string cacheDirectory) => Ensure(cacheDirectory, ShippedDirectory, Name);

    /// <summary>Builds (once per pack content) a model directory from a pack and the shipped encoder.</summary>
    public static ModelFiles Ensure(string cacheDirectory, string packDirectory, string name)
    {
        var pack = Path.Combine(packDirectory, PackFile);
        if (!File.Exists(pack))
        {
            throw new FileNotFoundException($"The trained reranker's weights are missing: '{pack}'.", pack);
        }

        var directory = Path.Combine(cacheDirectory, ModelStoreOptions.CacheFolderName(name));
        var serving = Path.Combine(packDirectory, ServingFile);
        var stamp = File.Exists(serving) ? SourceStamp.Of(pack) + SourceStamp.Of(serving) : SourceStamp.Of(pack);
        return Cache.Ensure(directory, name, built => Build(ShippedMiniLm.Ensure(cacheDirectory), pack, ReadStage1Weight(serving), built), stamp);
    }

    private static double ReadStage1Weight(string serving)
    {
        if (!File.Exists(serving))
        {
            return 0;
        }

        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(serving));
        return doc.RootElement.TryGetProperty("stage1_weight", out var weight) && weight.ValueKind == System.Text.Json.JsonValueKind.Number
            ? weight.GetDouble()
            : throw new InvalidDataException($"'{serving}' has no numeric stage1_weight.");
    }

    private static void Build(ModelFiles encoder, string pack, double stage1Weight, string directory)
    {
        var weights = WeightPack.Read(pack);
        var head = weights.GetValueOrDefault("classifier.weight") ?? throw new InvalidDataException($"'{pack}' has no classifier.weight.");
        var bias = weights.GetValueOrDefault("classifier.bias") ?? throw new InvalidDataException($"'{pack}' has no classifier.bias.");
        var graph = OnnxGraph.OnnxInitializerReplacer.Replace(DerivedTestCrossEncoder.WithHead(encoder, head.Values, bias.Values), weights);
        encoder.CopyTokenizerTo(directory);
        AtomicFile.WriteText(Path.Combine(directory, "config.json"),
            "{\"architectures\": [\"BertForSequenceClassification\"], \"model_type\": \"bert\", \"num_labels\": 1, " +
            $"\"{ModelFiles.Stage1WeightProperty}\": {stage1Weight.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}\n");
        var card = Path.Combine(Path.GetDirectoryName(pack)!, "README.md");
        if (File.Exists(card))
        {
            File.Copy(card, Path.Combine(directory, "README.md"), overwrite: true);
        }

        AtomicFile.Write(Path.Combine(directory, "model.onnx"), graph);
    }
}
