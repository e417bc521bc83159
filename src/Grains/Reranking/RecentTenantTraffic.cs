namespace RerankCluster.Grains.Reranking;

/// <summary>
/// The pair tokens each tenant sent to the rerank silos from this silo recently, decayed exponentially with a
/// time constant of <see cref="TimeConstant"/>: a rate that tells a flooding tenant from a quiet one even when
/// each has only a query or two in flight here (the counts in flight, at such numbers, cannot).
/// </summary>
public sealed class RecentTenantTraffic(TimeProvider clock)
{
    public static readonly TimeSpan TimeConstant = TimeSpan.FromSeconds(1);

    // Tenants that sent less than this share of the recent total are not counted among those sharing the silos.
    private const double BusyShare = 0.01;
    private readonly object _gate = new();
    private readonly Dictionary<string, (double Tokens, long At)> _tenants = new(StringComparer.Ordinal);

    public void Add(string tenant, long tokens)
    {
        lock (_gate)
        {
            var now = clock.GetTimestamp();
            _tenants[tenant] = (Decayed(_tenants.GetValueOrDefault(tenant, (0, now)), now) + tokens, now);
        }
    }

    /// <summary>
    /// Whether <paramref name="tenant"/> sent at least its weighted share of the recent tokens of the tenants that
    /// sent any (each with a weight from <paramref name="weightOf"/>); a tenant that sent nothing recently has not.
    /// </summary>
    public bool HasItsShare(string tenant, Func<string, double> weightOf)
    {
        lock (_gate)
        {
            var now = clock.GetTimestamp();
            var recent = _tenants.ToDictionary(t => t.Key, t => Decayed(t.Value, now), StringComparer.Ordinal);
            foreach (var (name, _) in recent.Where(t => t.Value < 1))
            {
                _tenants.Remove(name);
            }

            var total = recent.Values.Sum();
            var mine = recent.GetValueOrDefault(tenant);
            if (mine < 1)
            {
                return false;
            }

            var busy = recent.Where(t => t.Value >= BusyShare * total).ToArray();
            return mine / weightOf(tenant) * busy.Sum(t => weightOf(t.Key)) >= busy.Sum(t => t.Value);
        }
    }

    private double Decayed((double Tokens, long At) sent, long now) =>
        sent.Tokens * Math.Exp(-clock.GetElapsedTime(sent.At, now).TotalSeconds / TimeConstant.TotalSeconds);
}
