using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.TestingHost;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Silo.Hosting;

namespace RerankCluster.ClusterTests;

/// <summary>
/// Two silos whose embedding calls pass an <see cref="EmbeddingGate"/>, with a short response timeout and
/// short upsert wait so that a slow upsert is cheap to make.
/// </summary>
public sealed class IngestionCluster : IAsyncLifetime
{
    public const int EmbedBatchChunks = 25;
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(15);

    public EmbeddingGate Gate { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Indexing:EmbedBatchChunks"] = EmbedBatchChunks.ToString(),
            ["Indexing:UpsertWait"] = "00:00:01",
        }).Build();
        var builder = new InProcessTestClusterBuilder(TwoSiloCluster.Silos);
        builder.ConfigureSilo((options, silo) => silo
            .AddRerankCluster(configuration)
            .Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = ResponseTimeout)
            .AddIncomingGrainCallFilter(context => Gate.Pass(options.SiloName, context)));
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = ResponseTimeout));
        Cluster = builder.Build();
        await TwoSiloCluster.DeployAsync(Cluster);
    }

    public async Task DisposeAsync()
    {
        Gate.Release();
        await Cluster.DisposeAsync();
    }
}

public sealed class IngestionTests(IngestionCluster fixture) : IClassFixture<IngestionCluster>, IDisposable
{
    public void Dispose() => fixture.Gate.Reset();

    [Fact]
    public async Task A_search_and_another_upsert_complete_while_an_upsert_to_the_same_index_is_held()
    {
        var key = await NewIndex("held");
        var held = fixture.Client.GetGrain<IIngestJobGrain>(IngestJobKey.For(key, IngestJobKey.NewId()));
        var started = await held.Start([new DocumentInput("held", $"Tides follow the moon. {EmbeddingGate.HoldMarker}")]);
        await fixture.Gate.Holding.Task.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(IngestJobState.Running, started.State);

        // Mid-way through the held upsert: a second upsert to the same index and a search of it both finish.
        var other = await fixture.Client.Upsert(key, SampleCorpus.Documents().Take(6).ToArray());
        Assert.Equal(6, other.Stored);
        var search = await fixture.Client.GetGrain<IQueryGrain>(0, key).Search(new SearchRequest("planets around other stars", 3, 6));
        Assert.Equal(3, search.Results.Length);
        Assert.DoesNotContain(search.Results, r => r.DocumentId == "held");
        Assert.Equal(IngestJobState.Running, (await held.Status()).State);

        fixture.Gate.Release();
        var done = await held.Wait(TimeSpan.FromSeconds(5));
        while (!done.Finished)
        {
            done = await held.Wait(TimeSpan.FromSeconds(5));
        }

        Assert.Equal(IngestJobState.Succeeded, done.State);
        Assert.Equal(1, done.Stored);
        Assert.Equal(7, (await fixture.Client.GetGrain<IIndexGrain>(key).Stats()).Sum(s => s.Documents));
    }

    [Fact]
    public async Task An_upsert_of_the_maximum_size_with_slow_embedding_completes_as_a_job_instead_of_timing_out()
    {
        var key = await NewIndex("slow");
        const int documents = 1000; // Limits:MaxDocumentsPerRequest
        // Each embedding call outlasts a tenth of the response timeout; the whole upsert outlasts the timeout itself.
        fixture.Gate.Delay = IngestionCluster.ResponseTimeout / 8;
        var job = fixture.Client.GetGrain<IIngestJobGrain>(IngestJobKey.For(key, IngestJobKey.NewId()));

        var status = await job.Start(Enumerable.Range(0, documents)
            .Select(i => new DocumentInput($"d{i}", $"Document {i} is about topic {i % 37} and nothing else."))
            .ToArray());
        var seen = new List<IngestJobStatus> { status };
        while (!status.Finished)
        {
            status = await job.Wait(TimeSpan.FromSeconds(5));
            seen.Add(status);
        }

        Assert.False(seen[0].Finished, "the upsert should have outlasted Indexing:UpsertWait and become a job");
        Assert.Equal(IngestJobState.Succeeded, status.State);
        Assert.Empty(status.Errors);
        Assert.Equal(documents, status.Stored);
        Assert.Equal(documents, (await fixture.Client.GetGrain<IIndexGrain>(key).Stats()).Sum(s => s.Documents));
        Assert.Equal(seen.Select(s => s.Stored).Order(), seen.Select(s => s.Stored));
        Assert.True(fixture.Gate.CallsBySilo.Values.Sum() >= documents / IngestionCluster.EmbedBatchChunks);
    }

    [Fact]
    public async Task Embedding_work_is_spread_over_both_silos()
    {
        var key = await NewIndex("spread");

        await fixture.Client.Upsert(key, Enumerable.Range(0, 4 * IngestionCluster.EmbedBatchChunks)
            .Select(i => new DocumentInput($"s{i}", $"Short passage number {i}."))
            .ToArray());

        Assert.Equal(TwoSiloCluster.Silos, fixture.Gate.CallsBySilo.Count);
    }

    [Fact]
    public async Task Concurrent_upserts_of_the_same_new_documents_count_each_once_and_leave_no_stale_chunk()
    {
        const string tenant = "ingest-quota";
        const int documents = 12;
        var key = IndexKey.For(tenant, "same-ids");
        await fixture.Client.GetGrain<IIndexGrain>(key).Create(new IndexSettings(3));
        var filler = string.Join(' ', Enumerable.Range(0, 300).Select(i => (char)('a' + i % 26)));
        DocumentInput[] Version(string name) => Enumerable.Range(0, documents)
            .Select(i => new DocumentInput($"doc{i}", $"{name} {filler} {name}"))
            .ToArray();

        var writes = await Task.WhenAll(fixture.Client.Upsert(key, Version("alpha")), fixture.Client.Upsert(key, Version("beta")));

        Assert.Equal(documents, writes.Sum(w => w.Replaced));
        Assert.Equal(documents, (await fixture.Client.GetGrain<IQuotaGrain>(tenant).Usage()).Documents);
        var stats = await fixture.Client.GetGrain<IIndexGrain>(key).Stats();
        Assert.Equal(documents, stats.Sum(s => s.Documents));
        // Both versions chunk alike: any mix of the two would leave more chunks than one version has.
        Assert.True(writes[0].Chunks > documents, "the documents should span several chunks");
        Assert.Equal(writes[0].Chunks, stats.Sum(s => s.Chunks));
    }

    private async Task<string> NewIndex(string name)
    {
        var key = IndexKey.For("ingest", name);
        await fixture.Client.GetGrain<IIndexGrain>(key).Create(new IndexSettings(2));
        return key;
    }
}
