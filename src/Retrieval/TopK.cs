namespace RerankCluster.Retrieval;

/// <summary>Keeps the k best-scoring items of a stream in a min-heap: O(n log k), no full sort.</summary>
public sealed class TopK<T>
{
    private readonly PriorityQueue<T, float> _heap;
    private readonly int _k;

    public TopK(int k)
    {
        if (k < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(k), "k must not be negative.");
        }

        _k = k;
        _heap = new PriorityQueue<T, float>(Math.Min(k, 4096) + 1);
    }

    public void Offer(T item, float score)
    {
        if (_k == 0 || float.IsNaN(score))
        {
            return;
        }

        if (_heap.Count < _k)
        {
            _heap.Enqueue(item, score);
        }
        else if (_heap.TryPeek(out _, out var worst) && score > worst)
        {
            _heap.DequeueEnqueue(item, score);
        }
    }

    /// <summary>Empties the selection, best first.</summary>
    public List<(T Item, float Score)> Drain()
    {
        var result = new List<(T, float)>(_heap.Count);
        while (_heap.TryDequeue(out var item, out var score))
        {
            result.Add((item, score));
        }

        result.Reverse();
        return result;
    }
}
