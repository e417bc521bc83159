using System.Net;
using System.Net.Http.Json;
using RerankCluster.Cli.Corpus;
using RerankCluster.Client;
using RerankCluster.Cli.Hosting;
using RerankCluster.Client.Contracts;

namespace RerankCluster.ClusterTests;

/// <summary>
/// The HTTP side of upsert jobs, on an embedded gateway whose Indexing:UpsertWait is zero so that every
/// upsert answers 202: the job is followed with GET until it says the documents are stored.
/// </summary>
public sealed class IngestJobApiTests : IAsyncLifetime
{
    private EmbeddedCluster _cluster = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true,
            settings: new Dictionary<string, string?> { ["Indexing:UpsertWait"] = "00:00:00" });
        _http = new HttpClient { BaseAddress = _cluster.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task An_upsert_past_its_wait_answers_202_with_a_job_that_reports_what_it_stored()
    {
        await HttpAssert.Ok(await _http.PutAsJsonAsync("v1/indexes/jobs", new { shards = 2 }));

        var accepted = await _http.PostAsJsonAsync("v1/indexes/jobs/documents", new
        {
            documents = new[]
            {
                new { id = "tide", text = "Tides follow the moon." },
                new { id = "bread", text = "Sourdough bread rises thanks to wild yeast." },
                new { id = "violin", text = "The violin has four strings." },
            },
        });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var job = await HttpAssert.Ok(accepted);
        Assert.Equal("running", job.GetProperty("status").GetString());
        Assert.Equal(3, job.GetProperty("documents").GetInt32());
        var location = accepted.Headers.Location!.ToString();
        Assert.EndsWith($"/v1/indexes/jobs/jobs/{job.GetProperty("job_id").GetString()}", location);

        while (job.GetProperty("status").GetString() == "running")
        {
            await Task.Delay(200);
            job = await HttpAssert.Ok(await _http.GetAsync(location.TrimStart('/')));
        }

        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(3, job.GetProperty("stored").GetInt32());
        Assert.Equal(0, job.GetProperty("errors").GetArrayLength());
        var search = await HttpAssert.Ok(await _http.PostAsJsonAsync("v1/indexes/jobs/search", new { query = "moon and tides", top_k = 1, candidates = 3 }));
        Assert.Equal("tide", search.GetProperty("results")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_client_follows_a_job_to_the_end_and_unknown_jobs_are_not_found()
    {
        var client = new RerankClient(_http);
        await client.CreateIndexAsync("followed", new CreateIndexBody(1, null, null));
        var reported = new List<int>();

        var result = await client.UpsertAsync("followed",
            [new DocumentBody("a", "Glaciers carve valleys into mountains.", null), new DocumentBody("b", "Bees make honey.", null)], reported.Add);

        Assert.Equal(2, result.Documents);
        Assert.NotNull(result.JobId);
        Assert.Equal(2, reported[^1]);
        Assert.Equal(2, (await client.GetIndexAsync("followed"))!.Documents);
        await HttpAssert.Problem(await _http.GetAsync($"v1/indexes/followed/jobs/{new string('0', 32)}"), HttpStatusCode.NotFound, "unknown");
        await HttpAssert.Problem(await _http.GetAsync("v1/indexes/followed/jobs/not-a-job"), HttpStatusCode.NotFound, "unknown");
    }
}
