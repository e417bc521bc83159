using System.Net;

namespace RerankCluster.Client.Retries;

/// <summary>
/// When a refused request is sent again: only 429 and 503 (the server refused before doing the work, and
/// every call of this API is safe to repeat: reads, and upserts, whose ids replace), at most
/// <see cref="MaxAttempts"/> sends in all, after the server's Retry-After when it gives one, otherwise after
/// an exponential backoff with full jitter. A Retry-After longer than <see cref="MaxRetryAfter"/> is not
/// waited for: the error goes to the caller, who can decide.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>Sends in all, the first included; 1 turns retries off.</summary>
    public int MaxAttempts { get; init; } = 4;

    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The backoff before the first retry when the server names no delay; doubled for each further one.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public static RetryPolicy None { get; } = new() { MaxAttempts = 1 };

    public static bool IsRetryable(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;

    /// <summary>How long to wait before sending again after <paramref name="response"/>, or null to give up.</summary>
    /// <param name="attempt">The send that was just answered, from 1.</param>
    public TimeSpan? DelayAfter(HttpResponseMessage response, int attempt, DateTimeOffset now)
    {
        if (attempt >= MaxAttempts || !IsRetryable(response.StatusCode))
        {
            return null;
        }

        if (RetryAfter(response, now) is { } stated)
        {
            return stated <= MaxRetryAfter ? stated : null;
        }

        var ceiling = BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    /// <summary>The server's Retry-After, in seconds or as a date (RFC 9110), never negative.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };
}
