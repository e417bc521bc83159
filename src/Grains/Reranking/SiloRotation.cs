namespace RerankCluster.Grains.Reranking;

/// <summary>
/// Deals work item n to silo (start + n) mod count, from a random start, so that concurrent callers do not
/// all begin on the same silo. The one policy for spreading model work (rerank batches, embedding calls).
/// </summary>
public sealed class SiloRotation(IReadOnlyList<string> silos)
{
    private readonly int _start = Random.Shared.Next(silos.Count);

    public int Count => silos.Count;

    public string this[int n] => silos[(_start + n) % silos.Count];
}
