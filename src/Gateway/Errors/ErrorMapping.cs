using System.Globalization;
using System.Text.Json;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Gateway.Errors;

/// <summary>An error as the client sees it: status, title, problem type, the message, and the headers that go with it.</summary>
public sealed record ErrorResponse(int Status, string Title, string? Type, string Detail, TimeSpan? RetryAfter = null, string? Challenge = null);

/// <summary>
/// The one place where a failure becomes an HTTP answer: the typed errors (<see cref="RerankException"/>
/// and the gateway's own) by type, and the framework's and Orleans' exceptions by what they mean.
/// </summary>
public static class ErrorMapping
{
    /// <summary>ASP.NET Core has no default problem type for 429; clients that branch on <c>type</c> get RFC 6585's.</summary>
    public const string TooManyRequestsType = "https://tools.ietf.org/html/rfc6585#section-4";

    private static readonly TimeSpan Shortly = TimeSpan.FromSeconds(1);

    /// <summary>nginx's status for a request whose client closed the connection first.</summary>
    public const int ClientClosedRequest = 499;

    /// <param name="clientGone">The client hung up: its cancellation is no server error (nobody reads the answer, the metrics count it apart).</param>
    /// <param name="missingBody">The route reads a JSON body and the request sent none.</param>
    public static ErrorResponse For(Exception exception, LimitsOptions limits, bool clientGone = false, bool missingBody = false)
    {
        if (clientGone && exception is OperationCanceledException)
        {
            return new(ClientClosedRequest, "Client closed request", null, "The client closed the connection before the answer.");
        }

        // A storage outage decides the answer wherever it sits in the chain (Orleans wraps it).
        if (StorageUnavailableException.In(exception) is { } storage)
        {
            return new(StatusCodes.Status503ServiceUnavailable, "Storage unavailable", null, storage.Message, Shortly);
        }

        return exception switch
        {
            // ArgumentException too: the gateway's body checks and document validation raise it for a bad field.
            InvalidRequestException or ArgumentException => new(StatusCodes.Status400BadRequest, "Invalid request", null, exception.Message),
            UnauthorizedException unauthorized => new(StatusCodes.Status401Unauthorized, "Unauthorized", null, exception.Message,
                Challenge: unauthorized.Challenge),
            UnprocessableRequestException => new(StatusCodes.Status422UnprocessableEntity, "Unprocessable request", null, exception.Message),
            InputTooLongException => new(StatusCodes.Status413PayloadTooLarge, "Input too long", null, exception.Message),
            ForbiddenException => new(StatusCodes.Status403Forbidden, "Forbidden", null, exception.Message),
            QuotaExceededException => new(StatusCodes.Status403Forbidden, "Quota exceeded", null, exception.Message),
            NotFoundException => new(StatusCodes.Status404NotFound, "Not found", null, exception.Message),
            ConflictException => new(StatusCodes.Status409Conflict, "Conflict", null, exception.Message),
            OverloadedException overloaded => new(StatusCodes.Status429TooManyRequests, "Too many requests", TooManyRequestsType,
                exception.Message, overloaded.RetryAfter),
            ModelUnavailableException => new(StatusCodes.Status503ServiceUnavailable, "Model unavailable", null, exception.Message, Shortly),
            RerankFailedException => new(StatusCodes.Status503ServiceUnavailable, "Reranking failed", null, exception.Message, Shortly),
            StoredDocumentsCorruptException => new(StatusCodes.Status500InternalServerError, "Stored data unreadable", null, exception.Message),
            _ when ClusterChurn.Is(exception) => new(StatusCodes.Status503ServiceUnavailable, "Unavailable", null,
                "A silo serving this request left the cluster; the cluster is moving its work. Retry shortly.", Shortly),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new(StatusCodes.Status413PayloadTooLarge, "Bad request",
                null, LimitsOptions.BodyTooLarge(limits.MaxRequestBodyBytes)),
            // ASP.NET's own words for it speak to the developer ("Did you mean to use a Service instead?").
            BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } when missingBody => new(StatusCodes.Status400BadRequest,
                "Bad request", null, "The request has no body: this route reads a JSON object."),
            // The inner error says what the path's value is wrong with (a number where a string belongs, invalid UTF-8).
            BadHttpRequestException { InnerException: JsonException json } bad => new(bad.StatusCode, "Bad request", null,
                $"The body is not valid JSON for this route: {json.Message}{(json.InnerException is { } why and not JsonException ? $" {why.Message}" : "")}"),
            BadHttpRequestException bad => new(bad.StatusCode, "Bad request", null, exception.Message),
            TimeoutException => new(StatusCodes.Status504GatewayTimeout, "Timed out", null, exception.Message),
            // Internal errors keep their details in the log, not in the response.
            _ => new(StatusCodes.Status500InternalServerError, "Internal error", null, "The request failed; see the server log."),
        };
    }

    /// <summary>TEI's error_type for a status, for clients of its routes (Validation, Overloaded, Unhealthy, Backend, Unauthorized).</summary>
    public static string TeiErrorType(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status429TooManyRequests => "Overloaded",
        StatusCodes.Status503ServiceUnavailable => "Unhealthy",
        >= 400 and < 500 => "Validation",
        _ => "Backend",
    };

    /// <summary>Retry-After in whole seconds, at least one: clients that honour it must not spin.</summary>
    public static string RetryAfterSeconds(TimeSpan delay) =>
        Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
