namespace RerankCluster.Grains.Interfaces;

/// <summary>
/// A tenant's quotas, one activation per tenant for the whole cluster: what every gateway and silo
/// checks, so a limit holds however many processes serve the tenant.
/// </summary>
public interface IQuotaGrain : IGrainWithStringKey
{
    /// <summary>Counts a new index against Quotas:MaxIndexes (a no-op for one already counted).</summary>
    Task ReserveIndex(string index);

    /// <summary>Returns an index and its documents to the quota.</summary>
    Task ReleaseIndex(string index, long documents);

    /// <summary>Counts documents about to be written against Quotas:MaxDocuments.</summary>
    Task ReserveDocuments(int count);

    /// <summary>Returns documents that were replaced or deleted.</summary>
    Task ReleaseDocuments(int count);

    /// <summary>
    /// Corrects a write's reservation by what the write found (negative: documents that already existed;
    /// positive: documents deleted between the reservation and the write). Never refuses: they are stored.
    /// </summary>
    Task AdjustDocuments(int delta);

    /// <summary>Takes up to <paramref name="wanted"/> request tokens from the tenant's cluster-wide bucket (rate per second, burst).</summary>
    Task<RequestLease> LeaseRequests(int wanted, int perSecond, int burst);

    Task<QuotaUsage> Usage();

    /// <summary>The names of the tenant's indexes, in ordinal order.</summary>
    Task<string[]> Indexes();
}

[GenerateSerializer, Immutable]
public sealed record RequestLease([property: Id(0)] int Granted, [property: Id(1)] TimeSpan RetryAfter);

[GenerateSerializer, Immutable]
public sealed record QuotaUsage([property: Id(0)] int Indexes, [property: Id(1)] long Documents);

/// <summary>A tenant quota would be exceeded; the message names the setting.</summary>
[GenerateSerializer]
public sealed class QuotaExceededException : RerankException
{
    public QuotaExceededException(string message)
        : base(message)
    {
    }
}
