using System.Text.Json;
using RerankCluster.Inference;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Training.Trainer;

/// <summary>
/// Proves an exported model: the project's own <see cref="CrossEncoder"/> loads it and must give the
/// logits torch computed for the same ids (written by the trainer to export_parity.json).
/// </summary>
public static class ExportParity
{
    public const string FileName = "export_parity.json";
    public const double Tolerance = 1e-3;

    public sealed record Result(int Rows, double MaxAbsoluteDifference)
    {
        public bool Passed => MaxAbsoluteDifference <= Tolerance;
    }

    public static Result Check(CrossEncoder model, string parityFile)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(parityFile));
        var root = doc.RootElement;
        long[][] Rows(string name) => root.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        var ids = Rows("input_ids");
        var mask = Rows("attention_mask");
        var types = Rows("token_type_ids");
        var expected = root.GetProperty("logits").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var width = ids.Length == 0 ? 0 : ids[0].Length;
        var batch = new EncodedBatch(ids.Length, width, ids.SelectMany(r => r).ToArray(), mask.SelectMany(r => r).ToArray(),
            types.SelectMany(r => r).ToArray(), mask.Select(r => (int)r.Sum()).ToArray());
        var actual = model.Score(batch);
        if (actual.Length != expected.Length)
        {
            throw new InvalidDataException($"{parityFile}: {expected.Length} torch logits for {actual.Length} rows.");
        }

        return new Result(actual.Length, actual.Select((a, i) => Math.Abs(a - expected[i])).DefaultIfEmpty(0).Max());
    }
}
