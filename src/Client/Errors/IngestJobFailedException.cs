using RerankCluster.Client.Contracts;

namespace RerankCluster.Client.Errors;

/// <summary>
/// An upsert answered 202 and its job then failed (a silo left mid-way, say): <see cref="Job"/> says what it had
/// stored. Upserts are idempotent, so sending the documents again is safe.
/// </summary>
public sealed class IngestJobFailedException(IngestJobBody job)
    : Exception($"Upsert job {job.JobId} {job.Status} after storing {job.Stored} of {job.Documents} documents: {string.Join("; ", job.Errors)}")
{
    public IngestJobBody Job { get; } = job;
}
