using RerankCluster.Evaluation;
using RerankCluster.Client.Contracts;

namespace RerankCluster.Cli.Corpus;

/// <summary>
/// Documents to ingest, streamed from a JSONL file (<c>{id, text, metadata?}</c>, or BEIR's
/// <c>_id</c>/<c>title</c>/<c>text</c>) or from a BEIR dataset folder's corpus.jsonl.
/// </summary>
public static class DocumentSource
{
    public static string ResolveFile(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "corpus.jsonl") : path;
        return File.Exists(file)
            ? file
            : throw new FileNotFoundException($"No documents at '{path}' (expected a JSONL file or a BEIR folder with corpus.jsonl).", file);
    }

    public static IEnumerable<DocumentBody> Read(string path) =>
        CorpusReader.Read(ResolveFile(path)).Select(r => new DocumentBody(r.Id, r.IndexedText, r.Metadata));

    /// <summary>Counts records cheaply so progress can show a total and an ETA.</summary>
    public static int Count(string path) => File.ReadLines(ResolveFile(path)).Count(line => !string.IsNullOrWhiteSpace(line));
}
