namespace RerankCluster.Evaluation;

public sealed record BeirQuery(string Id, string Text);

/// <summary>
/// A dataset in BEIR layout: <c>corpus.jsonl</c> (_id, title, text), <c>queries.jsonl</c> (_id, text)
/// and <c>qrels/{split}.tsv</c> (query-id, corpus-id, score, with a header line).
/// </summary>
public sealed class BeirDataset
{
    private BeirDataset(string directory, IReadOnlyList<BeirQuery> queries, Qrels qrels)
    {
        Directory = directory;
        Queries = queries;
        Qrels = qrels;
    }

    public string Directory { get; }

    /// <summary>The queries that have at least one relevant document in the split, in file order.</summary>
    public IReadOnlyList<BeirQuery> Queries { get; }

    public Qrels Qrels { get; }

    public string CorpusPath => Path.Combine(Directory, "corpus.jsonl");

    public static BeirDataset Load(string directory, string split = "test")
    {
        var qrelsPath = Path.Combine(directory, "qrels", $"{split}.tsv");
        foreach (var required in new[] { Path.Combine(directory, "corpus.jsonl"), Path.Combine(directory, "queries.jsonl"), qrelsPath })
        {
            if (!File.Exists(required))
            {
                throw new FileNotFoundException($"'{directory}' is not a BEIR dataset: '{Path.GetRelativePath(directory, required)}' is missing.", required);
            }
        }

        var qrels = Qrels.Load(qrelsPath);
        var queries = CorpusReader.Read(Path.Combine(directory, "queries.jsonl"))
            .Select(q => new BeirQuery(q.Id, q.Text))
            .Where(q => qrels.HasRelevant(q.Id))
            .ToList();
        return new BeirDataset(directory, queries, qrels);
    }

    /// <summary>Streams the corpus, so a large one is never held in memory at once.</summary>
    public IEnumerable<CorpusRecord> ReadCorpus() => CorpusReader.Read(CorpusPath);
}
