using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static RerankCluster.ClusterTests.HttpAssert;

namespace RerankCluster.ClusterTests;

/// <summary>Every limit answers its 4xx with a message that names the setting.</summary>
[Collection(SecuredGatewayCollection.Name)]
public sealed class LimitsTests(SecuredGateway gateway)
{
    [Fact]
    public async Task Request_size_limits_name_their_setting()
    {
        using var client = await gateway.NewTenant("limits-size");
        await Ok(await client.PutAsJsonAsync("v1/indexes/limited", new { shards = 1 }));

        var tooMany = Enumerable.Range(0, SecuredGateway.MaxDocumentsPerRequest + 1).Select(i => new { id = $"d{i}", text = "t" });
        await Problem(await client.PostAsJsonAsync("v1/indexes/limited/documents", new { documents = tooMany }),
            HttpStatusCode.BadRequest, "Limits:MaxDocumentsPerRequest");

        var longText = new string('a', SecuredGateway.MaxTextCharacters + 1);
        await Problem(await client.PostAsJsonAsync("v1/indexes/limited/documents", new { documents = new[] { new { id = "x", text = longText } } }),
            HttpStatusCode.BadRequest, "Limits:MaxTextCharacters");
        await Problem(await client.PostAsJsonAsync("v1/rerank", new { query = "q", documents = new[] { longText } }),
            HttpStatusCode.BadRequest, "Limits:MaxTextCharacters");

        var rerankDocs = Enumerable.Repeat("doc", SecuredGateway.MaxRerankDocuments + 1).ToArray();
        await Problem(await client.PostAsJsonAsync("v1/rerank", new { query = "q", documents = rerankDocs }),
            HttpStatusCode.BadRequest, "Limits:MaxRerankDocuments");
        await TeiError(await client.PostAsJsonAsync("rerank", new { query = "q", texts = rerankDocs }),
            HttpStatusCode.BadRequest, "Validation", "Limits:MaxRerankDocuments");
        await Problem(await client.PostAsJsonAsync("v1/rerank", new { query = "q", documents = new[] { "a" }, top_n = SecuredGateway.MaxTopN + 1 }),
            HttpStatusCode.BadRequest, "Limits:MaxTopN");
        await Problem(await client.PostAsJsonAsync("v1/indexes/limited/search", new { query = "q", top_k = SecuredGateway.MaxTopN + 1, candidates = 50 }),
            HttpStatusCode.BadRequest, "Limits:MaxTopN");

        var huge = JsonSerializer.Serialize(new { query = "q", documents = new[] { new string('b', SecuredGateway.MaxRequestBodyBytes) } });
        await Problem(await client.PostAsync("v1/rerank", Json(huge)), HttpStatusCode.RequestEntityTooLarge, "Limits:MaxRequestBodyBytes");
    }

    [Fact]
    public async Task A_tenant_over_its_rate_gets_429_with_retry_after_and_others_are_unaffected()
    {
        using var noisy = await gateway.NewTenant("limits-noisy");
        using var quiet = await gateway.NewTenant("limits-quiet");
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < SecuredGateway.Burst + 5; i++)
        {
            statuses.Add(await noisy.GetAsync("v1/indexes/none"));
        }

        var limited = statuses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single()) >= 1);
        await Problem(limited, HttpStatusCode.TooManyRequests, "Limits:RequestsPerSecond");
        var problem = JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-4", problem.GetProperty("type").GetString());
        Assert.All(statuses.Take(SecuredGateway.Burst - 2), r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Equal(HttpStatusCode.NotFound, (await quiet.GetAsync("v1/indexes/none")).StatusCode);
    }
}
