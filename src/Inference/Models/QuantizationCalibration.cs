using System.Text.Json;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Inference.Models;

/// <summary>
/// The text int8 quantisation is calibrated on: the project's English sample corpus (embedded in this
/// assembly), as query–passage pairs, which is what a cross-encoder reads, and as single texts, which is
/// what a bi-encoder reads.
/// </summary>
public static class QuantizationCalibration
{
    private const string Resource = "calibration-corpus.jsonl";

    public static IReadOnlyList<string> Texts()
    {
        using var stream = typeof(QuantizationCalibration).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The calibration corpus resource '{Resource}' is missing from the build.");
        using var reader = new StreamReader(stream);
        var texts = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                texts.Add(JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()!);
            }
        }

        return texts;
    }

    /// <summary>Each text's title as a query against itself and two others, then every text alone, in length-sorted batches.</summary>
    public static IEnumerable<EncodedBatch> Batches(TextTokenizer tokenizer, int maxLength = 256, int rows = 16)
    {
        var texts = Texts();
        var sequences = new List<(int[] Ids, int[] TypeIds)>();
        for (var i = 0; i < texts.Count; i++)
        {
            var query = tokenizer.Tokenize(texts[i].Split('.')[0]);
            foreach (var other in new[] { i, (i + 1) % texts.Count, (i + 13) % texts.Count })
            {
                sequences.Add(tokenizer.EncodePair(query, tokenizer.Tokenize(texts[other]), maxLength));
            }

            var single = tokenizer.EncodeSingle(tokenizer.Tokenize(texts[i]), maxLength);
            sequences.Add((single, new int[single.Length]));
        }

        return sequences.OrderBy(s => s.Ids.Length).Chunk(rows).Select(chunk => EncodedBatch.Pad(chunk, tokenizer.PadId));
    }
}
