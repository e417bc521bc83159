using RerankCluster.Cli.Terminal;
using RerankCluster.Client;
using RerankCluster.Client.Contracts;

namespace RerankCluster.Cli.Corpus;

/// <summary>Uploads a corpus file through the HTTP API in batches, creating the index if needed, with progress.</summary>
public static class CorpusUpload
{
    public sealed record Summary(int Documents, int Chunks, TimeSpan Elapsed);

    public static async Task<Summary> RunAsync(RerankClient client, string index, string path, int batchSize, int? shards,
        CancellationToken ct)
    {
        if (batchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), "--batch-size must be at least 1.");
        }

        var total = DocumentSource.Count(path);
        if (await client.GetIndexAsync(index, ct) is null)
        {
            await client.CreateIndexAsync(index, new CreateIndexBody(shards, null, null), ct);
        }

        var progress = new ProgressBar($"ingest {index}", total, "docs");
        var documents = 0;
        var chunks = 0;
        foreach (var batch in DocumentSource.Read(path).Chunk(batchSize))
        {
            // A batch that becomes a job moves the bar as the job stores documents.
            var shown = 0;
            var result = await client.UpsertAsync(index, batch, stored =>
            {
                progress.Advance(stored - shown);
                shown = stored;
            }, ct);
            documents += result.Documents;
            chunks += result.Chunks;
            progress.Advance(batch.Length - shown);
        }

        progress.Complete();
        return new Summary(documents, chunks, progress.Elapsed);
    }
}
