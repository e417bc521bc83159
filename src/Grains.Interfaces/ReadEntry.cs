namespace RerankCluster.Grains.Interfaces;

/// <summary>
/// Which of several equivalent keys a client enters a stateless read grain (<see cref="IQueryGrain"/>,
/// <see cref="IRerankGrain"/>) by. An Orleans client sends every call to one grain key through the same
/// gateway silo, and a stateless worker runs on the silo a call arrives at, so with one key per index all
/// of its searches would run on one silo, and stall while that silo does. A fresh entry per request (and
/// per retry) spreads them over every gateway silo.
/// </summary>
public static class ReadEntry
{
    /// <summary>Enough keys that the client's buckets cover every gateway silo of a large cluster about evenly.</summary>
    public const int Count = 64;

    public static long Any() => Random.Shared.Next(Count);
}
