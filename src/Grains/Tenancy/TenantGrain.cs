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
            throw new InvalidOperationException($"Tenant '{tenant}' already exists.");
        }

        var key = ApiKeys.NewKey();
        var hash = ApiKeys.Hash(key);
        // The key is bound to the tenant before the tenant is recorded, so a recorded tenant's key always works.
        await GrainFactory.GetGrain<IApiKeyGrain>(hash).Assign(tenant);
        state.State = new TenantState { CreatedAt = DateTimeOffset.UtcNow, KeyHashes = [hash] };
        await state.WriteStateAsync();
        return key;
    }

    public Task<bool> Exists() => Task.FromResult(state.RecordExists);
}
