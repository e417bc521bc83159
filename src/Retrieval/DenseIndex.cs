namespace RerankCluster.Retrieval;

/// <summary>
/// A shard's dense search: the exact scan (<see cref="VectorIndex{TKey}"/>) always, and once it holds
/// <c>approximateFrom</c> vectors an HNSW graph (<see cref="ApproximateVectorIndex{TKey}"/>) built on a
/// thread of its own from a snapshot, so neither a write nor a shard's activation waits for it. Writes
/// that land while it builds are replayed onto it before it first answers. Unfiltered searches use the
/// graph once it is ready; filtered ones scan exactly, so a filter is always honoured before the top k.
/// Not thread-safe: the owner (a grain) calls it one turn at a time.
/// </summary>
public sealed class DenseIndex<TKey> : IDisposable where TKey : notnull
{
    private readonly int _approximateFrom;
    private readonly int _expansionSearch;
    private readonly VectorIndex<TKey> _exact;
    // The stored vectors themselves, not copies: what a graph is built from.
    private readonly Dictionary<TKey, float[]> _vectors = new();
    private ApproximateVectorIndex<TKey>? _approximate;
    private Task<ApproximateVectorIndex<TKey>>? _building;
    private List<(TKey Key, float[]? Vector)> _missedByBuild = [];

    /// <param name="approximateFrom">Vectors from which a graph is built; 0: exact search only.</param>
    /// <param name="expansionSearch">The graph's search width (HNSW's ef): wider is better recall and slower.</param>
    public DenseIndex(int dimension, int approximateFrom, int expansionSearch)
    {
        _exact = new VectorIndex<TKey>(dimension);
        _approximateFrom = approximateFrom;
        _expansionSearch = expansionSearch;
    }

    public int Dimension => _exact.Dimension;

    public int Count => _exact.Count;

    /// <summary>Whether unfiltered searches go to the graph (built and caught up).</summary>
    public bool IsApproximate
    {
        get
        {
            CatchUp();
            return _approximate is not null;
        }
    }

    /// <summary>The graph's build while one runs (it is swapped in by the next call after it ends), else null.</summary>
    public Task? Building => _building;

    public void Upsert(TKey key, float[] vector)
    {
        CatchUp();
        _exact.Upsert(key, vector);
        _vectors[key] = vector;
        _approximate?.Upsert(key, vector);
        if (_building is not null)
        {
            _missedByBuild.Add((key, vector));
        }

        if (_approximate is null && _building is null && _approximateFrom > 0 && _exact.Count >= _approximateFrom)
        {
            var snapshot = _vectors.ToArray();
            var (dimension, expansion) = (Dimension, _expansionSearch);
            _building = Task.Run(() =>
            {
                var graph = new ApproximateVectorIndex<TKey>(dimension, expansionSearch: expansion);
                foreach (var (k, v) in snapshot)
                {
                    graph.Upsert(k, v);
                }

                return graph;
            });
        }
    }

    public bool Remove(TKey key)
    {
        CatchUp();
        if (!_exact.Remove(key))
        {
            return false;
        }

        _vectors.Remove(key);
        _approximate?.Remove(key);
        if (_building is not null)
        {
            _missedByBuild.Add((key, null));
        }

        return true;
    }

    public void Clear()
    {
        _exact.Clear();
        _vectors.Clear();
        Dispose();
    }

    /// <summary>The <paramref name="k"/> nearest keys, best first: from the graph when it is ready and nothing is filtered.</summary>
    public IReadOnlyList<(TKey Key, float Score)> Search(float[] query, int k, Func<TKey, bool>? accept = null)
    {
        CatchUp();
        return accept is null && _approximate is not null ? _approximate.Search(query, k) : _exact.Search(query, k, accept);
    }

    public void Dispose()
    {
        _approximate?.Dispose();
        _approximate = null;
        // A build still running is disposed when it ends: nobody will swap it in.
        _building?.ContinueWith(build => build.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
        _building = null;
        _missedByBuild = [];
    }

    /// <summary>Swaps a finished build in, after replaying the writes it did not see; a failed one is dropped and tried again at the next write.</summary>
    private void CatchUp()
    {
        if (_building is not { IsCompleted: true } build)
        {
            return;
        }

        _building = null;
        if (build.IsCompletedSuccessfully)
        {
            var graph = build.Result;
            foreach (var (key, vector) in _missedByBuild)
            {
                if (vector is null)
                {
                    graph.Remove(key);
                }
                else
                {
                    graph.Upsert(key, vector);
                }
            }

            _approximate = graph;
        }

        _missedByBuild = [];
    }
}
