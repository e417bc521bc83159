using RerankCluster.Evaluation;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.ClusterTests;

/// <summary>The repository's bundled samples, copied beside the test binaries.</summary>
public static class SampleCorpus
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "samples");

    public static string BeirMini => Path.Combine(Directory, "beir-mini");

    public static IReadOnlyList<DocumentInput> Documents() =>
        CorpusReader.Read(Path.Combine(Directory, "sample-corpus.jsonl"))
            .Select(r => new DocumentInput(r.Id, r.IndexedText, r.Metadata?.GetRawText()))
            .ToList();
}
