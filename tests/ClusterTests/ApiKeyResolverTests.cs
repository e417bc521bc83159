using Microsoft.Extensions.Options;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Gateway.Security;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.ClusterTests;

/// <summary>A key's lookup when the silo holding its grain has stalled: a key known before keeps working; an unknown one still waits.</summary>
public sealed class ApiKeyResolverTests
{
    [Fact]
    public async Task A_known_key_keeps_its_tenant_while_its_grain_does_not_answer_and_an_unknown_key_waits()
    {
        var clock = new SteppedClock();
        var options = Options.Create(new GatewayOptions { KeyCacheTtl = TimeSpan.FromSeconds(30), KeyLookupTimeout = TimeSpan.FromMilliseconds(50) });
        var resolver = new ApiKeyResolver(KeyGrains.Factory(), options, clock);
        KeyGrains.Answer = Task.FromResult<string?>("acme");
        Assert.Equal("acme", await resolver.TenantOf("key-one"));

        // The cache entry has expired and the key's silo has stalled.
        clock.Now += TimeSpan.FromMinutes(1);
        KeyGrains.Answer = new TaskCompletionSource<string?>().Task;
        Assert.Equal("acme", await resolver.TenantOf("key-one").WaitAsync(TimeSpan.FromMinutes(1)));

        var unknown = resolver.TenantOf("key-two");
        await Task.Delay(200);
        Assert.False(unknown.IsCompleted);
    }

    private sealed class SteppedClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>An IGrainFactory whose API key grains answer <see cref="Answer"/>.</summary>
    private class KeyGrains : System.Reflection.DispatchProxy
    {
        public static Task<string?> Answer { get; set; } = Task.FromResult<string?>(null);

        public static IGrainFactory Factory() => Create<IGrainFactory, KeyGrains>();

        protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args) => method!.Name switch
        {
            nameof(IGrainFactory.GetGrain) when method.ReturnType == typeof(IApiKeyGrain) => Create<IApiKeyGrain, KeyGrains>(),
            nameof(IApiKeyGrain.Tenant) => Answer,
            _ => throw new NotSupportedException(method.Name),
        };
    }
}
