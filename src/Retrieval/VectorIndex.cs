using System.Numerics.Tensors;

namespace RerankCluster.Retrieval;

/// <summary>
/// Exact inner-product search over unit vectors kept in one contiguous array, so a scan is a
/// straight SIMD sweep. Removal swaps the last row into the hole, so the array never fragments.
/// </summary>
public sealed class VectorIndex<TKey> where TKey : notnull
{
    private readonly Dictionary<TKey, int> _rows = new();
    private readonly List<TKey> _keys = new();
    private float[] _vectors;

    public VectorIndex(int dimension, int initialCapacity = 1024)
    {
        if (dimension <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), "The vector dimension must be positive.");
        }

        Dimension = dimension;
        _vectors = new float[dimension * Math.Max(1, initialCapacity)];
    }

    public int Dimension { get; }

    public int Count => _keys.Count;

    public bool Contains(TKey key) => _rows.ContainsKey(key);

    /// <summary>Adds or replaces the vector stored under <paramref name="key"/>.</summary>
    public void Upsert(TKey key, ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimension)
        {
            throw new ArgumentException($"Expected a vector of {Dimension} dimensions, got {vector.Length}.", nameof(vector));
        }

        if (!_rows.TryGetValue(key, out var row))
        {
            row = _keys.Count;
            EnsureCapacity(row + 1);
            _keys.Add(key);
            _rows[key] = row;
        }

        vector.CopyTo(_vectors.AsSpan(row * Dimension, Dimension));
    }

    public bool Remove(TKey key)
    {
        if (!_rows.Remove(key, out var row))
        {
            return false;
        }

        var last = _keys.Count - 1;
        if (row != last)
        {
            var moved = _keys[last];
            _vectors.AsSpan(last * Dimension, Dimension).CopyTo(_vectors.AsSpan(row * Dimension, Dimension));
            _keys[row] = moved;
            _rows[moved] = row;
        }

        _keys.RemoveAt(last);
        return true;
    }

    public void Clear()
    {
        _rows.Clear();
        _keys.Clear();
    }

    /// <summary>The <paramref name="k"/> nearest keys by inner product, best first, among those <paramref name="accept"/> allows (all when null).</summary>
    public IReadOnlyList<(TKey Key, float Score)> Search(ReadOnlySpan<float> query, int k, Func<TKey, bool>? accept = null)
    {
        if (query.Length != Dimension)
        {
            throw new ArgumentException($"Expected a query of {Dimension} dimensions, got {query.Length}.", nameof(query));
        }

        var top = new TopK<int>(k);
        for (var row = 0; row < _keys.Count; row++)
        {
            if (accept is not null && !accept(_keys[row]))
            {
                continue;
            }

            top.Offer(row, TensorPrimitives.Dot(query, _vectors.AsSpan(row * Dimension, Dimension)));
        }

        return top.Drain().Select(hit => (_keys[hit.Item], hit.Score)).ToList();
    }

    private void EnsureCapacity(int rows)
    {
        if (rows * Dimension <= _vectors.Length)
        {
            return;
        }

        Array.Resize(ref _vectors, Math.Max(rows, _vectors.Length / Dimension * 2) * Dimension);
    }
}
