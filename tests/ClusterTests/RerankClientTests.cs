using System.Net;
using System.Text.Json;
using RerankCluster.Client;
using RerankCluster.Client.Contracts;
using RerankCluster.Client.Errors;

namespace RerankCluster.ClusterTests;

/// <summary>The .NET client (src/Client) against a real embedded gateway.</summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class RerankClientTests(EmbeddedGateway gateway)
{
    [Fact]
    public async Task The_client_creates_an_index_upserts_gets_searches_reranks_and_deletes()
    {
        var client = new RerankClient(gateway.Http);
        var created = await client.CreateIndexAsync("client-lifecycle", new CreateIndexBody(2, null, null));
        Assert.Equal(2, created.Shards);
        Assert.Contains("client-lifecycle", (await client.ListIndexesAsync()).Select(i => i.Name));

        var metadata = JsonSerializer.SerializeToElement(new { lang = "en" });
        var upserted = await client.UpsertAsync("client-lifecycle",
        [
            new DocumentBody("paris", "Paris is the capital and largest city of France.", metadata),
            new DocumentBody("bread", "Sourdough bread rises thanks to wild yeast.", null),
            new DocumentBody("violin", "The violin has four strings tuned in fifths.", null),
        ]);
        Assert.Equal(3, upserted.Documents);

        var search = await client.SearchAsync("client-lifecycle", new SearchBody("what is the capital of France", 2, 3, true, null));
        Assert.Equal("paris", search.Results[0].Id);
        Assert.Equal("en", search.Results[0].Metadata!.Value.GetProperty("lang").GetString());
        Assert.Equal(2, search.Results.Length);

        var reranked = await client.RerankAsync(new CohereRerankBody(null, "what is the capital of France",
            [JsonSerializer.SerializeToElement("Sourdough bread rises."), JsonSerializer.SerializeToElement(new { title = "France", body = "Paris is its capital." })],
            1, true, null, null, ["title", "body"]));
        Assert.Equal(1, Assert.Single(reranked.Results).Index);
        Assert.Equal("France", reranked.Results[0].Document!.Value.GetProperty("title").GetString());

        var stored = await client.GetDocumentAsync("client-lifecycle", "paris");
        Assert.Equal("paris", stored!.Id);
        Assert.Equal("en", stored.Metadata!.Value.GetProperty("lang").GetString());
        Assert.Equal("Paris is the capital and largest city of France.", Assert.Single(stored.Chunks).Text);
        Assert.Null(await client.GetDocumentAsync("client-lifecycle", "london"));

        await client.DeleteDocumentAsync("client-lifecycle", "paris");
        Assert.Null(await client.GetDocumentAsync("client-lifecycle", "paris"));
        Assert.Equal(2, (await client.GetIndexAsync("client-lifecycle"))!.Documents);
        await Assert.ThrowsAsync<RerankNotFoundException>(() => client.DeleteDocumentAsync("client-lifecycle", "paris"));

        await client.DeleteIndexAsync("client-lifecycle");
        Assert.Null(await client.GetIndexAsync("client-lifecycle"));
    }

    [Fact]
    public async Task A_400_from_the_gateway_surfaces_its_message()
    {
        var client = new RerankClient(gateway.Http);

        var invalid = await Assert.ThrowsAsync<RerankInvalidRequestException>(() =>
            client.CreateIndexAsync("client-invalid", new CreateIndexBody(1, null, null, Replicas: 0)));

        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Contains("replicas must be at least 1", invalid.Detail);
        Assert.Contains("replicas must be at least 1", invalid.Message);
    }
}
