using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.ClusterTests;

[Collection(TwoSiloCollection.Name)]
public sealed class BadInputTests(TwoSiloCluster fixture)
{
    private IQueryGrain Query(string index) => fixture.Client.GetGrain<IQueryGrain>(0, IndexKey.For("bad", index));

    private async Task<IIndexGrain> IndexWithOneDocument(string name)
    {
        var index = fixture.Client.GetGrain<IIndexGrain>(IndexKey.For("bad", name));
        await index.Create(new IndexSettings(1));
        await fixture.Client.Upsert(IndexKey.For("bad", name), [new DocumentInput("only", "A single short document.")]);
        return index;
    }

    [Theory]
    [InlineData("", 5, 50, "query must not be empty")]
    [InlineData("   ", 5, 50, "query must not be empty")]
    [InlineData("ok", 0, 50, "top_k must be between 1 and candidates")]
    [InlineData("ok", -3, 50, "top_k must be between 1 and candidates")]
    [InlineData("ok", 51, 50, "top_k must be between 1 and candidates")]
    [InlineData("ok", 5, 0, "candidates must be between 1 and")]
    public async Task Invalid_search_requests_are_rejected_with_the_reason(string query, int topK, int candidates, string reason)
    {
        await IndexWithOneDocument("validated");
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => Query("validated").Search(new SearchRequest(query, topK, candidates)));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public async Task Unknown_index_is_not_found()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => Query("never-created").Search(new SearchRequest("anything")));
        Assert.Contains("never-created", error.Message);
        await Assert.ThrowsAsync<NotFoundException>(() =>
            fixture.Client.Upsert(IndexKey.For("bad", "never-created"), [new DocumentInput("x", "y")]));
    }

    [Fact]
    public async Task Empty_corpus_and_empty_documents_are_rejected()
    {
        var key = IndexKey.For("bad", "empty");
        await fixture.Client.GetGrain<IIndexGrain>(key).Create(new IndexSettings(2));
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Client.Upsert(key, []));
        Assert.Contains("documents must not be empty", empty.Message);
        var blank = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Client.Upsert(key, [new DocumentInput("x", " ")]));
        Assert.Contains("text", blank.Message);
        var duplicate = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Client.Upsert(key, [new DocumentInput("x", "a"), new DocumentInput("x", "b")]));
        Assert.Contains("more than once", duplicate.Message);

        // Searching an index that holds nothing answers no results rather than failing.
        var response = await Query("empty").Search(new SearchRequest("anything"));
        Assert.Empty(response.Results);
        Assert.Equal(0, response.Timings.Candidates);
    }

    [Fact]
    public async Task Shard_count_cannot_change_silently()
    {
        var index = fixture.Client.GetGrain<IIndexGrain>(IndexKey.For("bad", "shards"));
        await index.Create(new IndexSettings(2));
        var conflict = await Assert.ThrowsAsync<ConflictException>(() => index.Create(new IndexSettings(3)));
        Assert.Contains("already exists with 2 shards", conflict.Message);
        await Assert.ThrowsAsync<InvalidRequestException>(() =>
            fixture.Client.GetGrain<IIndexGrain>(IndexKey.For("bad", "too-many")).Create(new IndexSettings(100_000)));
    }

    [Fact]
    public void Typed_errors_cross_the_wire_with_their_fields()
    {
        // What a grain throws is what the gateway maps: type, message and fields survive Orleans' codec.
        var serializer = fixture.Client.ServiceProvider.GetRequiredService<Serializer>();
        var overloaded = serializer.Deserialize<RerankException>(serializer.SerializeToArray<RerankException>(
            new OverloadedException("queue full", TimeSpan.FromSeconds(3))));
        Assert.Equal(TimeSpan.FromSeconds(3), Assert.IsType<OverloadedException>(overloaded).RetryAfter);
        Assert.Equal("queue full", overloaded.Message);

        var corrupt = serializer.Deserialize<RerankException>(serializer.SerializeToArray<RerankException>(
            new StoredDocumentsCorruptException(["a", "b"], "two broken")));
        Assert.Equal(["a", "b"], Assert.IsType<StoredDocumentsCorruptException>(corrupt).DocumentIds);
    }
}
