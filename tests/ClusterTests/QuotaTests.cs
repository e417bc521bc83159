using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RerankCluster.Cli.Hosting;
using RerankCluster.Gateway.Configuration;
using RerankCluster.Gateway.Security;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.ClusterTests;

/// <summary>Tenant quotas live in one grain per tenant, so every gateway and silo enforces the same limit.</summary>
public sealed class QuotaTests : IAsyncLifetime
{
    private EmbeddedCluster _cluster = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.FreePorts(), quiet: true, settings: new Dictionary<string, string?>
        {
            ["Quotas:MaxIndexes"] = "2",
            ["Quotas:MaxDocuments"] = "10",
        });
        _http = new HttpClient { BaseAddress = _cluster.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Indexes_beyond_the_quota_are_refused_until_one_is_deleted()
    {
        await HttpAssert.Ok(await _http.PutAsJsonAsync("v1/indexes/q1", new { shards = 1 }));
        await HttpAssert.Ok(await _http.PutAsJsonAsync("v1/indexes/q2", new { shards = 1 }));
        await HttpAssert.Ok(await _http.PutAsJsonAsync("v1/indexes/q2", new { shards = 1 })); // re-creating is no new index

        await HttpAssert.Problem(await _http.PutAsJsonAsync("v1/indexes/q3", new { shards = 1 }), HttpStatusCode.Forbidden, "Quotas:MaxIndexes");

        Assert.True((await _http.DeleteAsync("v1/indexes/q1")).IsSuccessStatusCode);
        await HttpAssert.Ok(await _http.PutAsJsonAsync("v1/indexes/q3", new { shards = 1 }));
        Assert.True((await _http.DeleteAsync("v1/indexes/q2")).IsSuccessStatusCode);
        Assert.True((await _http.DeleteAsync("v1/indexes/q3")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Documents_count_once_however_often_they_are_replaced_and_deleting_frees_room()
    {
        await HttpAssert.Ok(await _http.PutAsJsonAsync("v1/indexes/docs", new { shards = 2 }));
        object Batch(int from, int count) => new { documents = Enumerable.Range(from, count).Select(i => new { id = $"d{i}", text = $"document number {i}" }) };

        await HttpAssert.Ok(await _http.PostAsJsonAsync("v1/indexes/docs/documents", Batch(0, 8)));
        await HttpAssert.Ok(await _http.PostAsJsonAsync("v1/indexes/docs/documents", Batch(0, 8)));
        await HttpAssert.Problem(await _http.PostAsJsonAsync("v1/indexes/docs/documents", Batch(8, 3)), HttpStatusCode.Forbidden, "Quotas:MaxDocuments");
        await HttpAssert.Ok(await _http.PostAsJsonAsync("v1/indexes/docs/documents", Batch(8, 2)));
        await HttpAssert.Problem(await _http.PostAsJsonAsync("v1/indexes/docs/documents", Batch(10, 1)), HttpStatusCode.Forbidden, "Quotas:MaxDocuments");

        Assert.True((await _http.DeleteAsync("v1/indexes/docs/documents/d0")).IsSuccessStatusCode);
        await HttpAssert.Ok(await _http.PostAsJsonAsync("v1/indexes/docs/documents", Batch(10, 1)));
        Assert.True((await _http.DeleteAsync("v1/indexes/docs")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Two_gateways_share_one_request_rate()
    {
        // Each limiter is what one gateway process holds; both lease from the same tenant grain.
        var limits = Options.Create(new LimitsOptions { RequestsPerSecond = 5, Burst = 10 });
        var grains = _cluster.Services.GetRequiredService<IGrainFactory>();
        var gateways = new[]
        {
            new TenantRateLimiter(limits, grains, NullLogger<TenantRateLimiter>.Instance),
            new TenantRateLimiter(limits, grains, NullLogger<TenantRateLimiter>.Instance),
        };
        var acquired = new int[2];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 60; i++)
        {
            if ((await gateways[i % 2].TryAcquireAsync("shared-tenant")).Acquired)
            {
                acquired[i % 2]++;
            }
        }

        // Burst plus what refilled meanwhile, however the requests were spread over the gateways.
        var allowed = limits.Value.Burst + (int)Math.Ceiling(clock.Elapsed.TotalSeconds * limits.Value.RequestsPerSecond);
        Assert.InRange(acquired.Sum(), limits.Value.Burst, allowed);
        Assert.All(acquired, count => Assert.True(count > 0, "a gateway got no share of the tenant's rate"));
    }

    [Fact]
    public async Task A_quota_grain_that_does_not_answer_lets_requests_through_on_a_local_lease()
    {
        // The tenant's quota grain sits on a silo that has stalled: its lease never comes.
        var limits = Options.Create(new LimitsOptions { RequestsPerSecond = 50, Burst = 100, RateLeaseTimeout = TimeSpan.FromMilliseconds(50) });
        var limiter = new TenantRateLimiter(limits, StalledQuota.Factory(), NullLogger<TenantRateLimiter>.Instance);

        var first = await limiter.TryAcquireAsync("stalled-tenant").AsTask().WaitAsync(TimeSpan.FromMinutes(1));
        var next = await limiter.TryAcquireAsync("stalled-tenant").AsTask().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(first.Acquired);
        Assert.True(next.Acquired);
        Assert.Equal(1, StalledQuota.Calls);
    }

    /// <summary>An IGrainFactory whose quota grains never answer a lease, counting the calls.</summary>
    private class StalledQuota : System.Reflection.DispatchProxy
    {
        private static int _calls;

        public static int Calls => Volatile.Read(ref _calls);

        public static IGrainFactory Factory() => Create<IGrainFactory, StalledQuota>();

        protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(IGrainFactory.GetGrain) && method.ReturnType == typeof(IQuotaGrain))
            {
                return Create<IQuotaGrain, StalledQuota>();
            }

            if (method.Name == nameof(IQuotaGrain.LeaseRequests))
            {
                Interlocked.Increment(ref _calls);
                return new TaskCompletionSource<RequestLease>().Task;
            }

            throw new NotSupportedException(method.Name);
        }
    }
}
