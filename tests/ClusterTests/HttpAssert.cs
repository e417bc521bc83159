using System.Net;
using System.Text;
using System.Text.Json;

namespace RerankCluster.ClusterTests;

public static class HttpAssert
{
    public static async Task Problem(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Contains(reason, problem.RootElement.GetProperty("detail").GetString());
        // Cohere's SDK and the AI SDK show `message`: the same text as `detail`.
        Assert.Equal(problem.RootElement.GetProperty("detail").GetString(), problem.RootElement.GetProperty("message").GetString());
    }

    /// <summary>TEI's error body on its routes: {error, error_type}.</summary>
    public static async Task TeiError(HttpResponseMessage response, HttpStatusCode status, string errorType, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        using var error = JsonDocument.Parse(body);
        Assert.Equal(errorType, error.RootElement.GetProperty("error_type").GetString());
        Assert.Contains(reason, error.RootElement.GetProperty("error").GetString());
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }
}
