using System.Text.Json;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Training.Data;

/// <summary>
/// The trainer's input, tokenised here so training sees exactly the ids inference will:
/// <c>groups.jsonl</c> (one line per query: the positive pair's ids first, then each negative's) and
/// <c>groups.meta.json</c> (special token ids, maximum length, group size). <c>mined.jsonl</c> keeps the
/// same groups as text for people to read.
/// </summary>
public static class TrainingGroupsFile
{
    public const string Groups = "groups.jsonl";
    public const string Meta = "groups.meta.json";
    public const string Mined = "mined.jsonl";

    public static void Write(string directory, IReadOnlyList<TrainingGroup> groups, BertTextTokenizer tokenizer, int maxLength)
    {
        Directory.CreateDirectory(directory);
        using (var ids = new StreamWriter(Path.Combine(directory, Groups)))
        using (var text = new StreamWriter(Path.Combine(directory, Mined)))
        {
            foreach (var group in groups)
            {
                var query = tokenizer.Tokenize(group.Pair.Query);
                var rows = group.Negatives.Prepend(group.Pair.Positive)
                    .Select(passage => tokenizer.EncodePair(query, tokenizer.Tokenize(passage), maxLength).Ids)
                    .ToArray();
                ids.WriteLine(JsonSerializer.Serialize(new { query_id = group.Pair.QueryId, rows }));
                text.WriteLine(JsonSerializer.Serialize(new { query = group.Pair.Query, positive = group.Pair.Positive, negatives = group.Negatives }));
            }
        }

        File.WriteAllText(Path.Combine(directory, Meta), JsonSerializer.Serialize(new
        {
            cls_id = tokenizer.ClsId,
            sep_id = tokenizer.SepId,
            pad_id = tokenizer.PadId,
            max_length = maxLength,
            group_size = groups.Count == 0 ? 0 : groups[0].Negatives.Count + 1,
            groups = groups.Count,
        }));
    }
}
