using Cloud.Unum.USearch;

namespace RerankCluster.Retrieval;

/// <summary>
/// Approximate inner-product search over unit vectors with an HNSW graph (USearch), for shards too
/// large for an exact scan per query. Keys map to the graph's integer labels; a replaced vector is
/// removed and added again under a new label, as USearch keeps one vector per label.
/// </summary>
public sealed class ApproximateVectorIndex<TKey> : IDisposable where TKey : notnull
{
    private readonly USearchIndex _graph;
    private readonly Dictionary<TKey, ulong> _labels = new();
    private readonly Dictionary<ulong, TKey> _keys = new();
    private ulong _nextLabel;

    /// <param name="connectivity">Graph edges per node (HNSW's M): more is better recall, more memory.</param>
    /// <param name="expansionAdd">Candidates considered while inserting (efConstruction).</param>
    /// <param name="expansionSearch">Candidates considered while searching (ef), at least twice the k asked for.</param>
    public ApproximateVectorIndex(int dimension, int connectivity = 16, int expansionAdd = 64, int expansionSearch = 512)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Dimension = dimension;
        _graph = new USearchIndex(MetricKind.Ip, ScalarKind.Float32, (ulong)dimension, (ulong)connectivity, (ulong)expansionAdd,
            (ulong)expansionSearch, false);
    }

    public int Dimension { get; }

    public int Count => _labels.Count;

    public void Upsert(TKey key, float[] vector)
    {
        if (vector.Length != Dimension)
        {
            throw new ArgumentException($"Expected a vector of {Dimension} dimensions, got {vector.Length}.", nameof(vector));
        }

        Remove(key);
        var label = _nextLabel++;
        _graph.Add(label, vector);
        _labels[key] = label;
        _keys[label] = key;
    }

    public bool Remove(TKey key)
    {
        if (!_labels.Remove(key, out var label))
        {
            return false;
        }

        _keys.Remove(label);
        _graph.Remove(label);
        return true;
    }

    /// <summary>About the <paramref name="k"/> nearest keys by inner product, best first.</summary>
    public IReadOnlyList<(TKey Key, float Score)> Search(float[] query, int k)
    {
        if (query.Length != Dimension)
        {
            throw new ArgumentException($"Expected a query of {Dimension} dimensions, got {query.Length}.", nameof(query));
        }

        if (k <= 0 || Count == 0)
        {
            return [];
        }

        var found = _graph.Search(query, Math.Min(k, Count), out var labels, out var distances);
        var hits = new List<(TKey, float)>(found);
        for (var i = 0; i < found; i++)
        {
            // Inner-product distance is 1 − dot.
            hits.Add((_keys[labels[i]], 1 - distances[i]));
        }

        return hits;
    }

    public void Dispose() => _graph.Dispose();
}
