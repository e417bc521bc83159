using RerankCluster.Client;

namespace RerankCluster.Cli.Reliability;

/// <summary>Checks that every acknowledged document of an index can still be read, one GET per document.</summary>
public static class DocumentAudit
{
    public sealed record Result(int Acknowledged, int Indexed, IReadOnlyList<string> Missing);

    public static async Task<Result> RunAsync(HttpClient http, string index, IReadOnlyCollection<string> acknowledged, CancellationToken ct)
    {
        var client = new RerankClient(http);
        var indexed = (await client.GetIndexAsync(index, ct) ?? throw new InvalidOperationException($"Index '{index}' is gone.")).Documents ?? 0;
        var missing = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(acknowledged, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (id, token) =>
        {
            if (await client.GetDocumentAsync(index, id, token) is null)
            {
                missing.Add(id);
            }
        });
        return new Result(acknowledged.Count, indexed, missing.Order(StringComparer.Ordinal).ToList());
    }
}
