using RerankCluster.Cli.Hosting;

namespace RerankCluster.ClusterTests;

/// <summary>The documented multi-process cluster (<see cref="LocalCluster"/>) as a test fixture: two silos and a gateway.</summary>
public sealed class ProcessCluster : IAsyncLifetime
{
    public const string AdminKey = "process-cluster-admin-key-0123";

    public LocalCluster Cluster { get; private set; } = null!;

    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public async Task InitializeAsync() => Cluster = await LocalCluster.StartAsync(2, AdminKey, Configuration);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public Task KillSilo(int index) => Cluster.KillSiloAsync(index);

    public Task<HttpClient> NewTenant(string tenant) => Cluster.NewTenantAsync(tenant);

    public string Logs() => Cluster.Logs();
}
