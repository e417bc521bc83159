using System.Text.Json;
using RerankCluster.Evaluation;

namespace RerankCluster.Training.Data;

public sealed record TrainingPair(string QueryId, string Query, string PositiveId, string Positive);

/// <summary>
/// What a trainer learns from: (query, positive passage) pairs, and the passages it may draw hard
/// negatives from. Either a BEIR dataset (the pairs of one qrels split; passages judged for any other
/// split are left out, so held-out documents never reach training) or JSONL lines of {"query", "positive"}.
/// </summary>
public sealed class TrainingPairs
{
    private TrainingPairs(IReadOnlyList<TrainingPair> pairs, IReadOnlyDictionary<string, string> passages)
    {
        Pairs = pairs;
        Passages = passages;
    }

    public IReadOnlyList<TrainingPair> Pairs { get; }

    /// <summary>Passage id → text: the pool hard negatives come from (the positives are in it).</summary>
    public IReadOnlyDictionary<string, string> Passages { get; }

    public static TrainingPairs Load(string path, string split = "train")
    {
        if (Directory.Exists(path))
        {
            return FromBeir(path, split);
        }

        if (File.Exists(path))
        {
            return FromJsonl(path);
        }

        throw new FileNotFoundException($"Training data '{path}' is neither a BEIR folder nor a JSONL file of {{\"query\", \"positive\"}} lines.", path);
    }

    private static TrainingPairs FromBeir(string directory, string split)
    {
        var data = BeirDataset.Load(directory, split);
        var heldOut = Directory.GetFiles(Path.Combine(directory, "qrels"), "*.tsv")
            .Where(f => Path.GetFileNameWithoutExtension(f) != split)
            .SelectMany(f => Qrels.Load(f).Documents())
            .ToHashSet(StringComparer.Ordinal);
        var passages = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var record in data.ReadCorpus())
        {
            if (!heldOut.Contains(record.Id) && !string.IsNullOrWhiteSpace(record.IndexedText))
            {
                passages[record.Id] = record.IndexedText;
            }
        }

        var pairs = new List<TrainingPair>();
        foreach (var query in data.Queries)
        {
            foreach (var (documentId, grade) in data.Qrels.For(query.Id))
            {
                if (grade > 0 && passages.TryGetValue(documentId, out var positive))
                {
                    pairs.Add(new TrainingPair(query.Id, query.Text, documentId, positive));
                }
            }
        }

        return Checked(pairs, passages, directory);
    }

    private static TrainingPairs FromJsonl(string path)
    {
        var pairs = new List<TrainingPair>();
        var passages = new Dictionary<string, string>(StringComparer.Ordinal);
        var passageIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string? query, positive;
            try
            {
                using var doc = JsonDocument.Parse(line);
                query = Text(doc.RootElement, "query");
                positive = Text(doc.RootElement, "positive");
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: not valid JSON ({ex.Message}).", ex);
            }

            if (string.IsNullOrWhiteSpace(query) || string.IsNullOrWhiteSpace(positive))
            {
                throw new InvalidDataException($"{path}:{lineNumber}: each line needs a non-empty \"query\" and \"positive\" string.");
            }

            if (!passageIds.TryGetValue(positive, out var id))
            {
                id = $"p{passageIds.Count}";
                passageIds[positive] = id;
                passages[id] = positive;
            }

            pairs.Add(new TrainingPair($"q{lineNumber}", query, id, positive));
        }

        return Checked(pairs, passages, path);
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static TrainingPairs Checked(List<TrainingPair> pairs, Dictionary<string, string> passages, string source)
    {
        if (pairs.Count == 0)
        {
            throw new InvalidDataException($"'{source}' holds no (query, positive) pairs to train on.");
        }

        if (passages.Count < 2)
        {
            throw new InvalidDataException($"'{source}' has fewer than two distinct passages: there is nothing to draw negatives from.");
        }

        return new TrainingPairs(pairs, passages);
    }
}
