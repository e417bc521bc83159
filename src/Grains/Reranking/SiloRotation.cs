namespace RerankCluster.Grains.Reranking;

/// <summary>
/// Deals work item n to silo (start + n) mod count, from a random start, so that concurrent callers do not
/// all begin on the same silo: how embedding calls are spread. Rerank micro-batches rotate the same way
/// through <see cref="SiloCooldown.Order"/>, which also puts silos that just failed last.
/// </summary>
public sealed class SiloRotation(IReadOnlyList<string> silos)
{
    private readonly int _start = Random.Shared.Next(silos.Count);

    public int Count => silos.Count;

    public string this[int n] => silos[(_start + n) % silos.Count];
}
