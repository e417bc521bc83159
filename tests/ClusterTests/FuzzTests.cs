using System.Diagnostics;
using System.Net;
using System.Text;
using RerankCluster.Cli.Hosting;
using Xunit.Abstractions;

namespace RerankCluster.ClusterTests;

/// <summary>
/// Seeded fuzzing of every JSON endpoint: bodies derived from valid ones by deleting, retyping,
/// truncating and corrupting parts. Bounded in count and time; no answer may be a 5xx.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int CasesPerEndpoint = 10_000;
    private static readonly TimeSpan TimeBudget = TimeSpan.FromMinutes(4);
    private EmbeddedCluster _cluster = null!;

    private static readonly (string Path, string Valid)[] Endpoints =
    [
        ("v1/indexes/fuzz/search", """{"query": "rivers", "top_k": 1, "candidates": 1, "return_documents": true}"""),
        ("v1/indexes/fuzz/documents", """{"documents": [{"id": "f1", "text": "a river", "metadata": {"k": 1}}]}"""),
        ("v1/rerank", """{"query": "rivers", "documents": ["a", {"text": "b"}], "top_n": 1, "return_documents": true}"""),
        ("rerank", """{"query": "rivers", "texts": ["a"], "raw_scores": false, "return_text": true}"""),
        ("v1/indexes/fuzz-created", """{"shards": 1}"""),
    ];

    private static readonly string[] Replacements =
        ["null", "0", "-1", "1e308", "-1e308", "1.5", "\"\"", "\"x\"", "[]", "{}", "true", "[null]", "\"\\u0000\"", "\"\\ud800\"", "9223372036854775808", "[[[[[]]]]]"];

    public async Task InitializeAsync() =>
        _cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true, settings: new Dictionary<string, string?>
        {
            ["Limits:RequestsPerSecond"] = "1000000",
            ["Limits:Burst"] = "1000000",
            ["Limits:MaxRerankDocuments"] = "8",
            ["Limits:MaxDocumentsPerRequest"] = "8",
        });

    public Task DisposeAsync() => _cluster.DisposeAsync().AsTask();

    [Fact]
    public async Task Ten_thousand_mutated_bodies_per_endpoint_never_get_a_5xx()
    {
        using var http = new HttpClient { BaseAddress = _cluster.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        (await http.PutAsync("v1/indexes/fuzz", new StringContent("{\"shards\": 1}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        (await http.PostAsync("v1/indexes/fuzz/documents", new StringContent(Endpoints[1].Valid, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var allStatuses = new Dictionary<int, int>();
        foreach (var (endpoint, (path, valid)) in Endpoints.Index())
        {
            var random = new Random(20261125 + endpoint);
            var statuses = new Dictionary<int, int>();
            var sent = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, CasesPerEndpoint), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
            {
                if (clock.Elapsed > TimeBudget)
                {
                    return;
                }

                byte[] body;
                lock (random)
                {
                    body = Mutate(valid, random);
                }

                var method = path.StartsWith("v1/indexes/fuzz-", StringComparison.Ordinal) ? HttpMethod.Put : HttpMethod.Post;
                using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var response = await http.SendAsync(request, ct);
                var status = (int)response.StatusCode;
                Assert.True(status < 500, $"{path}: {status} for {Encoding.UTF8.GetString(body)}: {await response.Content.ReadAsStringAsync(ct)}");
                // 409 is only right where a body can conflict with state: re-creating an index differently.
                Assert.True(status != 409 || method == HttpMethod.Put, $"{path}: 409 for {Encoding.UTF8.GetString(body)}");

                lock (statuses)
                {
                    statuses[status] = statuses.GetValueOrDefault(status) + 1;
                    sent++;
                }
            });

            output.WriteLine($"{path}: {sent} bodies, {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}");
            Assert.Equal(CasesPerEndpoint, sent);
            foreach (var (status, count) in statuses)
            {
                allStatuses[status] = allStatuses.GetValueOrDefault(status) + count;
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("readyz")).StatusCode);
        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"managed memory {memoryBefore / 1e6:F0} MB → {memoryAfter / 1e6:F0} MB in {clock.Elapsed.TotalSeconds:F0} s");
        Assert.True(memoryAfter < memoryBefore + 512_000_000, "managed memory grew by more than 512 MB");
        ReportArtifacts.Write("fuzz.json", new
        {
            cases = allStatuses.Values.Sum(), cases_per_endpoint = CasesPerEndpoint, seed = 20261125, endpoints = Endpoints.Select(e => e.Path),
            server_errors = allStatuses.Where(s => s.Key >= 500).Sum(s => s.Value),
            statuses = allStatuses.OrderBy(s => s.Key).ToDictionary(s => s.Key.ToString(), s => s.Value),
            memory_before_mb = memoryBefore / 1e6, memory_after_mb = memoryAfter / 1e6, seconds = clock.Elapsed.TotalSeconds,
        });
    }

    private static byte[] Mutate(string valid, Random random)
    {
        var text = valid;
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations && text.Length > 0; m++)
        {
            switch (random.Next(7))
            {
                case 0: // replace a value after some colon
                    var colons = Enumerable.Range(0, text.Length).Where(i => text[i] == ':').ToArray();
                    if (colons.Length > 0)
                    {
                        var at = colons[random.Next(colons.Length)] + 1;
                        var end = text.IndexOfAny([',', '}'], at);
                        text = text[..at] + " " + Replacements[random.Next(Replacements.Length)] + (end < 0 ? "" : text[end..]);
                    }

                    break;
                case 1: // truncate
                    text = text[..random.Next(text.Length)];
                    break;
                case 2: // drop a character
                    var drop = random.Next(text.Length);
                    text = text.Remove(drop, 1);
                    break;
                case 3: // insert a random character
                    text = text.Insert(random.Next(text.Length + 1), ((char)random.Next(0, 128)).ToString());
                    break;
                case 4: // rename a field
                    var quote = text.IndexOf('"', random.Next(text.Length));
                    if (quote >= 0)
                    {
                        text = text.Insert(quote + 1, "x");
                    }

                    break;
                case 5: // grow a string
                    var q = text.IndexOf("\"a", StringComparison.Ordinal);
                    if (q >= 0)
                    {
                        text = text.Insert(q + 1, new string('w', random.Next(1, 5000)));
                    }

                    break;
                default: // wrap or duplicate the whole body
                    text = random.Next(2) == 0 ? $"[{text}]" : text + text;
                    break;
            }
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        if (random.Next(20) == 0 && bytes.Length > 0)
        {
            bytes[random.Next(bytes.Length)] = (byte)random.Next(0x80, 0x100); // invalid UTF-8
        }

        return bytes;
    }
}
