namespace RerankCluster.Grains.Reranking;

/// <summary>
/// Deals work item n to silo (start + n) mod count, from a random start, so that concurrent callers do not
/// all begin on the same silo: how embedding calls are spread. Rerank micro-batches go by load instead
/// (<see cref="SiloLoadBoard"/>).
/// </summary>
public sealed class SiloRotation(IReadOnlyList<string> silos)
{
    private readonly int _start = Random.Shared.Next(silos.Count);

    public int Count => silos.Count;

    public string this[int n] => silos[(_start + n) % silos.Count];
}
