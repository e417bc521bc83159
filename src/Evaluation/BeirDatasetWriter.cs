using System.Text.Json;

namespace RerankCluster.Evaluation;

/// <summary>Writes a dataset in the layout <see cref="BeirDataset"/> reads: corpus, queries, and one qrels file per split.</summary>
public static class BeirDatasetWriter
{
    public static void Write(string directory, IEnumerable<CorpusRecord> corpus, IEnumerable<BeirQuery> queries,
        IReadOnlyDictionary<string, IEnumerable<(string QueryId, string DocumentId)>> splits)
    {
        Directory.CreateDirectory(Path.Combine(directory, "qrels"));
        WriteLines(Path.Combine(directory, "corpus.jsonl"),
            corpus.Select(d => JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = d.Id, ["title"] = d.Title, ["text"] = d.Text })));
        WriteLines(Path.Combine(directory, "queries.jsonl"),
            queries.Select(q => JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = q.Id, ["text"] = q.Text })));
        foreach (var (split, judgements) in splits)
        {
            WriteLines(Path.Combine(directory, "qrels", split + ".tsv"),
                judgements.Select(j => $"{j.QueryId}\t{j.DocumentId}\t1").Prepend("query-id\tcorpus-id\tscore"));
        }
    }

    private static void WriteLines(string path, IEnumerable<string> lines)
    {
        var temporary = path + ".tmp";
        File.WriteAllLines(temporary, lines);
        File.Move(temporary, path, overwrite: true);
    }
}
