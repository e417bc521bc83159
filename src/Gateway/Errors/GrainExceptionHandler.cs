using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Client.Contracts;

namespace RerankCluster.Gateway.Errors;

/// <summary>
/// Writes every exception a request raises (in the gateway or thrown by a grain) as problem details,
/// as <see cref="ErrorMapping"/> says, with Retry-After and WWW-Authenticate where they belong.
/// </summary>
public sealed class GrainExceptionHandler(
    IProblemDetailsService problems,
    IOptions<LimitsOptions> limits,
    ILogger<GrainExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        // The exception handler clears the request's endpoint before it runs; the feature keeps the one that failed.
        var endpoint = context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint();
        var missingBody = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>() is not null
            && (context.Request.ContentLength == 0 || context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false });
        var error = ErrorMapping.For(exception, limits.Value, clientGone: context.RequestAborted.IsCancellationRequested, missingBody);
        if (error.Status == StatusCodes.Status500InternalServerError)
        {
            logger.LogError(exception, "Request {Method} {Path} failed", context.Request.Method, context.Request.Path);
        }

        context.Response.StatusCode = error.Status;
        context.Response.Headers.CacheControl = "no-store";
        if (error.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ErrorMapping.RetryAfterSeconds(retryAfter);
        }

        if (error.Challenge is not null)
        {
            context.Response.Headers.WWWAuthenticate = error.Challenge;
        }

        if (RerankCluster.Gateway.Endpoints.RerankEndpoints.IsTeiRoute(context.Request.Path))
        {
            // TEI's clients read {error, error_type}, not problem details.
            await context.Response.WriteAsJsonAsync(new TeiErrorBody(error.Detail, ErrorMapping.TeiErrorType(error.Status)), cancellationToken);
            return true;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = error.Status, Title = error.Title, Type = error.Type, Detail = error.Detail },
        });
    }
}
