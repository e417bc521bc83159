using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Tenancy;

[GenerateSerializer]
public sealed class ApiKeyState
{
    [Id(0)] public string? Tenant { get; set; }
}

public sealed class ApiKeyGrain(
    [PersistentState("apikey", RerankStorage.Tenants)] IPersistentState<ApiKeyState> state) : Grain, IApiKeyGrain
{
    public async Task Assign(string tenant)
    {
        if (state.State.Tenant is { } owner && owner != tenant)
        {
            throw new ConflictException("This key already belongs to another tenant.");
        }

        state.State.Tenant = tenant;
        await state.WriteStateAsync();
    }

    public async Task Revoke()
    {
        state.State.Tenant = null;
        await state.ClearStateAsync();
    }

    public Task<string?> Tenant() => Task.FromResult(state.State.Tenant);
}
