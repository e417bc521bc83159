namespace RerankCluster.Grains.Interfaces;

public enum IngestJobState
{
    Running,
    Succeeded,
    Failed,
}

/// <summary>
/// Where an upsert job stands. Documents count as stored only once <see cref="Stored"/> includes them:
/// a failed job's errors say which documents may be missing.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record IngestJobStatus(
    [property: Id(0)] string JobId,
    [property: Id(1)] IngestJobState State,
    [property: Id(2)] int Documents,
    [property: Id(3)] int Stored,
    [property: Id(4)] int Chunks,
    [property: Id(5)] int Replaced,
    [property: Id(6)] string[] Errors,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset? FinishedAt)
{
    public bool Finished => State != IngestJobState.Running;
}

/// <summary>Job ids and the grain keys of an index's jobs ("tenant/index/job-id").</summary>
public static class IngestJobKey
{
    public static string NewId() => Guid.NewGuid().ToString("N");

    public static bool IsValidId(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    public static string For(string indexKey, string jobId)
    {
        if (!IsValidId(jobId))
        {
            throw new ArgumentException($"'{jobId}' is not a job id (32 lower-case hex digits).");
        }

        return $"{indexKey}/{jobId}";
    }

    public static (string IndexKey, string JobId) Parse(string jobKey)
    {
        var separator = jobKey.LastIndexOf('/');
        return (jobKey[..separator], jobKey[(separator + 1)..]);
    }
}
