using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Tenancy;

[GenerateSerializer]
public sealed class TenantState
{
    [Id(0)] public DateTimeOffset CreatedAt { get; set; }

    [Id(1)] public List<string> KeyHashes { get; set; } = [];
}

public sealed class TenantGrain(
    [PersistentState("tenant", RerankStorage.Tenants)] IPersistentState<TenantState> state) : Grain, ITenantGrain
{
    public async Task<string> Create()
    {
        var tenant = this.GetPrimaryKeyString();
        IndexKey.RequireName(tenant, "tenant");
        if (state.RecordExists)
        {
            throw new ConflictException($"Tenant '{tenant}' already exists.");
        }

        state.State = new TenantState { CreatedAt = DateTimeOffset.UtcNow };
        return await IssueKey();
    }

    public Task<bool> Exists() => Task.FromResult(state.RecordExists);

    public async Task<string> IssueKey()
    {
        RequireExists();
        var key = ApiKeys.NewKey();
        var hash = ApiKeys.Hash(key);
        // The key is bound to the tenant before the tenant records it, so a recorded key always works.
        await GrainFactory.GetGrain<IApiKeyGrain>(hash).Assign(this.GetPrimaryKeyString());
        state.State.KeyHashes.Add(hash);
        await state.WriteStateAsync();
        return key;
    }

    public async Task<bool> RevokeKey(string keyId)
    {
        RequireExists();
        var hash = keyId.Length == 12 ? state.State.KeyHashes.FirstOrDefault(h => h.StartsWith(keyId, StringComparison.Ordinal)) : null;
        if (hash is null)
        {
            return false;
        }

        // Revoked at the key first: once this returns, no gateway that asks again accepts it.
        await GrainFactory.GetGrain<IApiKeyGrain>(hash).Revoke();
        state.State.KeyHashes.Remove(hash);
        await state.WriteStateAsync();
        return true;
    }

    private void RequireExists()
    {
        if (!state.RecordExists && state.State.CreatedAt == default)
        {
            throw new NotFoundException($"Tenant '{this.GetPrimaryKeyString()}' does not exist.");
        }
    }
}
