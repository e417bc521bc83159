using System.Text.Json;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Inference.Models;

/// <summary>
/// A model directory in Hugging Face layout: <c>onnx/model.onnx</c> or <c>model.onnx</c> (or a named
/// variant), plus the tokenizer of its family: <c>vocab.txt</c> or a WordPiece <c>tokenizer.json</c> (BERT),
/// <c>sentencepiece.bpe.model</c> (XLM-RoBERTa).
/// </summary>
public sealed record ModelFiles(string Name, string Directory, string OnnxPath, bool LowerCase, bool? StripAccents, bool IsRelevanceModel)
{
    /// <summary>Written into a model's config.json by the project when its scores must not be read as relevance.</summary>
    public const string NotRelevanceMarker = "rerankcluster_not_a_relevance_model";

    /// <summary>The config.json property where a model declares the stage-1 weight fitted for it.</summary>
    public const string Stage1WeightProperty = "rerankcluster_stage1_weight";

    /// <summary>
    /// The weight of the stage-1 similarity this model's card recommends for the final order (0: the
    /// reranker's own order), used wherever <c>Rerank:Stage1Weight</c> is not set.
    /// </summary>
    public double Stage1Weight { get; init; }

    public static ModelFiles Open(string directory, string? name = null, string? onnxFile = null)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Model directory '{directory}' does not exist.");
        }

        var onnx = FindOnnx(directory, onnxFile);
        var lowerCase = ReadLowerCase(directory);
        var stripAccents = ReadOptionalBool(Path.Combine(directory, "tokenizer_config.json"), "strip_accents");
        var isRelevance = !ReadFlag(Path.Combine(directory, "config.json"), NotRelevanceMarker);
        if (!TokenizerFiles.Any(file => File.Exists(Path.Combine(directory, file))))
        {
            throw new FileNotFoundException($"Model directory '{directory}' has no tokenizer (looked for {string.Join(", ", TokenizerFiles)}).");
        }

        return new ModelFiles(name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), directory, onnx, lowerCase, stripAccents, isRelevance)
        {
            Stage1Weight = ReadStage1Weight(Path.Combine(directory, "config.json")),
        };
    }

    /// <summary>Puts this model's vocabulary and lower-casing into <paramref name="directory"/>, for a model derived from it.</summary>
    public void CopyTokenizerTo(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        File.Copy(Path.Combine(Directory, "vocab.txt"), Path.Combine(directory, "vocab.txt"), overwrite: true);
        AtomicFile.WriteText(Path.Combine(directory, "tokenizer_config.json"), $"{{\"do_lower_case\": {(LowerCase ? "true" : "false")}}}\n");
    }

    /// <summary>The files one of which names a model's tokenizer, in the order they are looked for.</summary>
    public static readonly string[] TokenizerFiles = [XlmRobertaTextTokenizer.ModelFile, "vocab.txt", "tokenizer.json"];

    /// <summary>The tokenizer of the model's family: SentencePiece where the model ships one, otherwise WordPiece.</summary>
    public TextTokenizer CreateTokenizer()
    {
        var sentencePiece = Path.Combine(Directory, XlmRobertaTextTokenizer.ModelFile);
        if (File.Exists(sentencePiece))
        {
            return XlmRobertaTextTokenizer.FromModelFile(sentencePiece);
        }

        var vocab = Path.Combine(Directory, "vocab.txt");
        if (File.Exists(vocab))
        {
            return BertTextTokenizer.FromVocabularyFile(vocab, LowerCase, StripAccents);
        }

        using var vocabulary = VocabularyFromTokenizerJson(Path.Combine(Directory, "tokenizer.json"));
        return BertTextTokenizer.FromVocabulary(vocabulary, LowerCase, StripAccents);
    }

    private static string FindOnnx(string directory, string? onnxFile)
    {
        var candidates = onnxFile is null
            ? new[] { Path.Combine(directory, "onnx", "model.onnx"), Path.Combine(directory, "model.onnx") }
            : new[] { Path.Combine(directory, onnxFile), Path.Combine(directory, "onnx", onnxFile) };
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                $"Model directory '{directory}' has no ONNX graph (looked for {string.Join(", ", candidates.Select(c => Path.GetRelativePath(directory, c)))}).");
    }

    private static bool ReadLowerCase(string directory)
    {
        var fromConfig = ReadOptionalBool(Path.Combine(directory, "tokenizer_config.json"), "do_lower_case");
        if (fromConfig is { } lower)
        {
            return lower;
        }

        var tokenizerJson = Path.Combine(directory, "tokenizer.json");
        if (File.Exists(tokenizerJson))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(tokenizerJson));
            if (doc.RootElement.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind == JsonValueKind.Object &&
                normalizer.TryGetProperty("lowercase", out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return value.GetBoolean();
            }
        }

        return true;
    }

    private static double ReadStage1Weight(string configPath)
    {
        if (!File.Exists(configPath))
        {
            return 0;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(configPath));
        if (!doc.RootElement.TryGetProperty(Stage1WeightProperty, out var value))
        {
            return 0;
        }

        return value.ValueKind == JsonValueKind.Number && value.GetDouble() is >= 0 and <= 1 and var weight
            ? weight
            : throw new InvalidDataException($"'{configPath}': {Stage1WeightProperty} must be a number between 0 and 1 (got {value.GetRawText()}).");
    }

    private static bool ReadFlag(string jsonPath, string property) => ReadOptionalBool(jsonPath, property) == true;

    private static bool? ReadOptionalBool(string jsonPath, string property)
    {
        if (!File.Exists(jsonPath))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
        return doc.RootElement.TryGetProperty(property, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : null;
    }

    /// <summary>Rebuilds a vocab.txt stream (one token a line, in id order) from a WordPiece tokenizer.json.</summary>
    private static MemoryStream VocabularyFromTokenizerJson(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        if (!doc.RootElement.TryGetProperty("model", out var model) || !model.TryGetProperty("vocab", out var vocab) ||
            vocab.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"'{path}' is not a WordPiece tokenizer.json (no model.vocab object).");
        }

        var tokens = vocab.EnumerateObject().OrderBy(p => p.Value.GetInt32()).Select(p => p.Name);
        return new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', tokens) + "\n"));
    }
}
