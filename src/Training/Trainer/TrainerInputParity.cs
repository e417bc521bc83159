using System.Text.Json;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Training.Trainer;

/// <summary>
/// Proves the trainer's input: the trainer pairs query and passage ids itself (see
/// <see cref="Data.TrainingGroupsFile"/>), so the rows it wrote to export_parity.json (the first groups, in
/// order) must be the ids the C# tokenizer gives for the same texts in mined.jsonl. A model trained on rows
/// that inference never builds would learn the wrong thing silently.
/// </summary>
public static class TrainerInputParity
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A line of mined.jsonl, as <see cref="Data.TrainingGroupsFile"/> writes it.</summary>
    private sealed record MinedGroup(string Query, string Positive, string[] Negatives);

    /// <returns>How many rows were compared and how many differ.</returns>
    public static (int Rows, int Mismatches) Check(string parityFile, string minedFile, TextTokenizer tokenizer, int maxLength)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(parityFile));
        var root = doc.RootElement;
        var ids = root.GetProperty("input_ids").EnumerateArray().ToList();
        var masks = root.GetProperty("attention_mask").EnumerateArray().ToList();
        var expected = File.ReadLines(minedFile)
            .Where(line => line.Length > 0)
            .Select(line => JsonSerializer.Deserialize<MinedGroup>(line, Json)!)
            .SelectMany(group =>
            {
                var query = tokenizer.Tokenize(group.Query);
                return group.Negatives.Prepend(group.Positive)
                    .Select(passage => tokenizer.EncodePair(query, tokenizer.Tokenize(passage), maxLength).Ids);
            })
            .Take(ids.Count)
            .ToList();
        var mismatches = 0;
        for (var row = 0; row < ids.Count; row++)
        {
            var length = masks[row].EnumerateArray().Count(v => v.GetInt64() != 0);
            var actual = ids[row].EnumerateArray().Take(length).Select(v => v.GetInt32());
            if (row >= expected.Count || !actual.SequenceEqual(expected[row]))
            {
                mismatches++;
            }
        }

        return (ids.Count, mismatches);
    }
}
