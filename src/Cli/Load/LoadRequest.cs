using System.Net.Http.Json;
using System.Text.Json;
using RerankCluster.Client;

namespace RerankCluster.Cli.Load;

/// <summary>One request the load tester can send: a search of an index, a stateless rerank, or a write; <paramref name="Tag"/> follows it into its sample.</summary>
public sealed record LoadRequest(string Kind, string Path, object Body, string? Tag = null)
{
    public HttpRequestMessage ToHttp(string? apiKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path)
        {
            Content = JsonContent.Create(Body, Body.GetType(), options: RerankJson.Options),
        };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }

        return request;
    }

    /// <summary>
    /// A deterministic mix: a <paramref name="rerankFraction"/> of stateless reranks of random corpus
    /// passages, the rest searches of <paramref name="index"/>.
    /// </summary>
    public static Func<int, LoadRequest> Mix(IReadOnlyList<string> queries, IReadOnlyList<string> passages, string index, double rerankFraction,
        int rerankDocuments, int seed = 7)
    {
        if (queries.Count == 0)
        {
            throw new ArgumentException("The load needs at least one query (--queries or --dataset).");
        }

        return i =>
        {
            var random = new Random(unchecked(seed * 100_003 + i));
            var query = queries[i % queries.Count];
            if (passages.Count > 0 && random.NextDouble() < rerankFraction)
            {
                var documents = Enumerable.Range(0, rerankDocuments).Select(_ => passages[random.Next(passages.Count)]).ToArray();
                return new LoadRequest("rerank", "v1/rerank", new { query, documents, top_n = 5 });
            }

            return new LoadRequest("search", $"v1/indexes/{Uri.EscapeDataString(index)}/search", new { query, top_k = 5, candidates = 50 });
        };
    }

    public static IReadOnlyList<string> ReadQueries(string path)
    {
        if (Directory.Exists(path))
        {
            return Evaluation.CorpusReader.Read(System.IO.Path.Combine(path, "queries.jsonl")).Select(q => q.Text).ToList();
        }

        return File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l.Trim().StartsWith('{')
            ? JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!
            : l.Trim()).ToList();
    }
}
