using Microsoft.Extensions.Options;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Quotas;

[GenerateSerializer]
public sealed class QuotaState
{
    [Id(0)] public HashSet<string> Indexes { get; set; } = [];

    [Id(1)] public long Documents { get; set; }
}

/// <summary>
/// One per tenant in the whole cluster: index and document counts (persisted) and the tenant's request
/// token bucket (in memory; a reactivation starts it full, which errs towards serving).
/// </summary>
public sealed class QuotaGrain(
    [PersistentState("quota", RerankStorage.Tenants)] IPersistentState<QuotaState> state,
    IOptions<QuotaOptions> options,
    TimeProvider clock) : Grain, IQuotaGrain
{
    private double _tokens = double.NaN;
    private long _refilledAt;

    public async Task ReserveIndex(string index)
    {
        if (state.State.Indexes.Contains(index))
        {
            return;
        }

        var max = options.Value.MaxIndexes;
        if (state.State.Indexes.Count >= max)
        {
            throw new QuotaExceededException(
                $"Tenant '{this.GetPrimaryKeyString()}' has {state.State.Indexes.Count} indexes; {QuotaOptions.Section}:MaxIndexes is {max}. Delete one first.");
        }

        state.State.Indexes.Add(index);
        await state.WriteStateAsync();
    }

    public async Task ReleaseIndex(string index, long documents)
    {
        if (state.State.Indexes.Remove(index))
        {
            state.State.Documents = Math.Max(0, state.State.Documents - documents);
            await state.WriteStateAsync();
        }
    }

    public async Task ReserveDocuments(int count)
    {
        var max = options.Value.MaxDocuments;
        if (state.State.Documents + count > max)
        {
            throw new QuotaExceededException(
                $"Tenant '{this.GetPrimaryKeyString()}' stores {state.State.Documents} documents and this request adds up to {count}; " +
                $"{QuotaOptions.Section}:MaxDocuments is {max}.");
        }

        state.State.Documents += count;
        await state.WriteStateAsync();
    }

    public Task ReleaseDocuments(int count) => count > 0 ? AdjustDocuments(-count) : Task.CompletedTask;

    public async Task AdjustDocuments(int delta)
    {
        if (delta != 0)
        {
            state.State.Documents = Math.Max(0, state.State.Documents + delta);
            await state.WriteStateAsync();
        }
    }

    public Task<RequestLease> LeaseRequests(int wanted, int perSecond, int burst)
    {
        var now = clock.GetTimestamp();
        _tokens = double.IsNaN(_tokens) ? burst : Math.Min(burst, _tokens + clock.GetElapsedTime(_refilledAt, now).TotalSeconds * perSecond);
        _refilledAt = now;
        var granted = (int)Math.Min(Math.Max(0, wanted), Math.Floor(_tokens));
        _tokens -= granted;
        var retryAfter = granted > 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Max(0.05, (1 - _tokens) / Math.Max(1, perSecond)));
        return Task.FromResult(new RequestLease(granted, retryAfter));
    }

    public Task<QuotaUsage> Usage() => Task.FromResult(new QuotaUsage(state.State.Indexes.Count, state.State.Documents));

    public Task<string[]> Indexes() => Task.FromResult(state.State.Indexes.Order(StringComparer.Ordinal).ToArray());
}
