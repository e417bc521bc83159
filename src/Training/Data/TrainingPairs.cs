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

    /// <summary>
    /// A seeded sample: at most <paramref name="maxPairs"/> pairs, and a passage pool of at most
    /// <paramref name="maxPassages"/> that always keeps the sampled pairs' positives (mining embeds the whole
    /// pool, so the cap bounds its cost on a large source).
    /// </summary>
    public TrainingPairs Sample(int? maxPairs, int? maxPassages, int seed)
    {
        var random = new Random(seed);
        var pairs = maxPairs is { } p && p < Pairs.Count
            ? Pairs.Select(x => (Pair: x, Key: random.Next())).OrderBy(x => x.Key).Take(p).Select(x => x.Pair).ToList()
            : Pairs;
        if (maxPassages is not { } cap || cap >= Passages.Count)
        {
            return new TrainingPairs(pairs, Passages);
        }

        var positives = pairs.Select(x => x.PositiveId).ToHashSet(StringComparer.Ordinal);
        var others = Passages.Keys.Where(id => !positives.Contains(id)).Select(id => (Id: id, Key: random.Next())).OrderBy(x => x.Key)
            .Take(Math.Max(0, cap - positives.Count)).Select(x => x.Id);
        return new TrainingPairs(pairs, positives.Concat(others).ToDictionary(id => id, id => Passages[id], StringComparer.Ordinal));
    }

    /// <summary>Several sources as one: ids are prefixed with the source's position so they cannot collide.</summary>
    public static TrainingPairs Combine(IReadOnlyList<TrainingPairs> sources)
    {
        if (sources.Count == 1)
        {
            return sources[0];
        }

        var pairs = sources.SelectMany((s, i) => s.Pairs.Select(p => p with { QueryId = $"{i}/{p.QueryId}", PositiveId = $"{i}/{p.PositiveId}" })).ToList();
        var passages = sources.SelectMany((s, i) => s.Passages.Select(p => (Id: $"{i}/{p.Key}", Text: p.Value)))
            .ToDictionary(p => p.Id, p => p.Text, StringComparer.Ordinal);
        return new TrainingPairs(pairs, passages);
    }

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
        foreach (var (lineNumber, root) in JsonLines.Read(path))
        {
            var query = Text(root, "query");
            var positive = Text(root, "positive");
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
