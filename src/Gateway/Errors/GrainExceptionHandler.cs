using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Gateway.Resilience;

namespace RerankCluster.Gateway.Errors;

/// <summary>
/// Turns the exceptions grains raise for bad requests into problem details with the grain's message:
/// invalid input 400, a tenant quota 403, missing index 404, conflicting state 409, rerank silos past their admission
/// budget 429 with Retry-After, a call that timed out 504, a silo leaving or the storage being unreachable 503 with
/// Retry-After; a client that hung up gets 499 (nobody reads it, but the metrics count it apart from errors).
/// </summary>
public sealed class GrainExceptionHandler(
    IProblemDetailsService problems,
    IOptions<LimitsOptions> limits,
    ILogger<GrainExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var storage = ExceptionChain.Of(exception).OfType<StorageUnavailableException>().FirstOrDefault();
        var (status, title) = exception switch
        {
            _ when storage is not null => (StatusCodes.Status503ServiceUnavailable, "Storage unavailable"),
            RerankFailedException => (StatusCodes.Status503ServiceUnavailable, "Reranking failed"),
            RerankOverloadedException => (StatusCodes.Status429TooManyRequests, "Overloaded"),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => (ClientClosedRequest, "Client closed request"),
            QuotaExceededException => (StatusCodes.Status403Forbidden, "Quota exceeded"),
            _ when IdempotentRetry.IsClusterChurn(exception) => (StatusCodes.Status503ServiceUnavailable, "Unavailable"),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request"),
            ArgumentException => (StatusCodes.Status400BadRequest, "Invalid request"),
            KeyNotFoundException => (StatusCodes.Status404NotFound, "Not found"),
            InvalidOperationException => (StatusCodes.Status409Conflict, "Conflict"),
            TimeoutException => (StatusCodes.Status504GatewayTimeout, "Timed out"),
            _ => (StatusCodes.Status500InternalServerError, "Internal error"),
        };
        if (status == StatusCodes.Status500InternalServerError)
        {
            logger.LogError(exception, "Request {Method} {Path} failed", context.Request.Method, context.Request.Path);
        }

        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "1";
        }
        else if (exception is RerankOverloadedException overloaded)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, overloaded.RetryAfterSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = title,
                // Internal errors keep their details in the log, not in the response.
                Detail = storage?.Message ?? Detail(exception, status),
            },
        });
    }

    /// <summary>nginx's status for a request whose client closed the connection first.</summary>
    private const int ClientClosedRequest = 499;

    private string Detail(Exception exception, int status) => exception switch
    {
        _ when status == StatusCodes.Status413PayloadTooLarge => LimitsOptions.BodyTooLarge(limits.Value.MaxRequestBodyBytes),
        BadHttpRequestException { InnerException: JsonException json } =>
            $"The body is not valid JSON for this route: {json.Message}",
        RerankFailedException => exception.Message,
        RerankOverloadedException =>
            $"The rerank silos are past their admission budget (Batching:MaxQueuedTokens); nothing of this request was kept. Retry after the Retry-After delay. {exception.Message}",
        _ when status == StatusCodes.Status503ServiceUnavailable =>
            "A silo serving this request left the cluster; the cluster is moving its work. Retry shortly.",
        _ when status >= 500 && status != StatusCodes.Status504GatewayTimeout => "The request failed; see the server log.",
        _ => exception.Message,
    };
}
