using System.Net;
using System.Text.Json;

namespace RerankCluster.Client.Errors;

/// <summary>The one place where an error answer becomes a typed exception.</summary>
public static class ApiErrors
{
    public static async Task<RerankApiException> FromResponseAsync(HttpResponseMessage response, DateTimeOffset now, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        var (detail, type) = Read(body);
        detail ??= string.IsNullOrWhiteSpace(body) ? response.ReasonPhrase ?? response.StatusCode.ToString() : body;
        var retryAfter = Retries.RetryPolicy.RetryAfter(response, now);
        var status = response.StatusCode;
        return status switch
        {
            HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnprocessableEntity =>
                new RerankInvalidRequestException(status, detail, type, retryAfter),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new RerankAccessDeniedException(status, detail, type, retryAfter),
            HttpStatusCode.NotFound => new RerankNotFoundException(status, detail, type, retryAfter),
            HttpStatusCode.Conflict => new RerankConflictException(status, detail, type, retryAfter),
            HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable => new RerankOverloadedException(status, detail, type, retryAfter),
            _ => new RerankApiException(status, detail, type, retryAfter),
        };
    }

    /// <summary>Problem details' <c>detail</c> (or <c>message</c>) and <c>type</c>; TEI's routes answer <c>{error, error_type}</c>.</summary>
    private static (string? Detail, string? Type) Read(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            string? Text(string name) => json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
            return (Text("detail") ?? Text("message") ?? Text("error"), Text("type") ?? Text("error_type"));
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page, say): the caller keeps the raw body as the message.
            return (null, null);
        }
    }
}
