using System.Text.Json;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Training.Data;

/// <summary>
/// The trainer's input, tokenised here so training sees exactly the ids inference will. A negative is
/// shared by many groups, so each text is written once: <c>passages.jsonl</c> (one passage's token ids per
/// line), <c>groups.jsonl</c> (one line per query: its token ids and the line numbers of its positive, then
/// of each negative) and <c>groups.meta.json</c> (special token ids, maximum length, group size). The trainer
/// pairs them with the same longest-first truncation as <see cref="BertTextTokenizer.EncodePair"/>; ids
/// are cut to the pair budget here, which never changes what that truncation keeps, and keeps the files
/// small enough to carry to a GPU machine. <c>mined.jsonl</c> keeps the same groups as text for people to read.
/// </summary>
public static class TrainingGroupsFile
{
    public const string Groups = "groups.jsonl";
    public const string Passages = "passages.jsonl";
    public const string Meta = "groups.meta.json";
    public const string Mined = "mined.jsonl";
    public const string Format = "shared-passages/1";

    public static void Write(string directory, IReadOnlyList<TrainingGroup> groups, BertTextTokenizer tokenizer, int maxLength)
    {
        Directory.CreateDirectory(directory);
        var budget = maxLength - 3; // [CLS] query [SEP] passage [SEP]
        var lineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var passages = new StreamWriter(Path.Combine(directory, Passages)))
        using (var ids = new StreamWriter(Path.Combine(directory, Groups)))
        using (var text = new StreamWriter(Path.Combine(directory, Mined)))
        {
            foreach (var group in groups)
            {
                var lines = group.Negatives.Prepend(group.Pair.Positive).Select(passage =>
                {
                    if (!lineOf.TryGetValue(passage, out var line))
                    {
                        line = lineOf[passage] = lineOf.Count;
                        passages.WriteLine(JsonSerializer.Serialize(tokenizer.Tokenize(passage).Take(budget)));
                    }

                    return line;
                }).ToArray();
                var query = tokenizer.Tokenize(group.Pair.Query).Take(budget);
                ids.WriteLine(JsonSerializer.Serialize(new { query_id = group.Pair.QueryId, query, passages = lines }));
                text.WriteLine(JsonSerializer.Serialize(new { query = group.Pair.Query, positive = group.Pair.Positive, negatives = group.Negatives }));
            }
        }

        File.WriteAllText(Path.Combine(directory, Meta), JsonSerializer.Serialize(new
        {
            format = Format,
            cls_id = tokenizer.ClsId,
            sep_id = tokenizer.SepId,
            pad_id = tokenizer.PadId,
            max_length = maxLength,
            group_size = groups.Count == 0 ? 0 : groups[0].Negatives.Count + 1,
            groups = groups.Count,
            passages = lineOf.Count,
        }));
    }
}
