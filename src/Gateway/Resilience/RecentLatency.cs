namespace RerankCluster.Gateway.Resilience;

/// <summary>
/// How long the last answered calls took, for a hedging delay that follows the cluster's own latency:
/// a fixed delay would hedge half the reads of a slow model and none of a fast one's stalls.
/// </summary>
public sealed class RecentLatency(int capacity = 512)
{
    // Fewer answers than this say too little about a tail.
    private const int LeastSamples = 32;
    private readonly double[] _ms = new double[capacity];
    private readonly object _gate = new();
    private int _count;
    private int _next;
    private int _sinceSorted;
    private double[] _sorted = [];

    public void Record(TimeSpan took)
    {
        lock (_gate)
        {
            _ms[_next] = took.TotalMilliseconds;
            _next = (_next + 1) % _ms.Length;
            _count = Math.Min(_count + 1, _ms.Length);
            _sinceSorted++;
        }
    }

    /// <summary>The <paramref name="quantile"/> of the recorded durations; zero until enough are recorded.</summary>
    public TimeSpan Quantile(double quantile)
    {
        lock (_gate)
        {
            if (_count < LeastSamples)
            {
                return TimeSpan.Zero;
            }

            // Sorting is redone every few dozen answers, not on every read.
            if (_sorted.Length != _count || _sinceSorted >= LeastSamples)
            {
                _sorted = _ms[.._count];
                Array.Sort(_sorted);
                _sinceSorted = 0;
            }

            return TimeSpan.FromMilliseconds(_sorted[Math.Min(_count - 1, (int)Math.Ceiling(quantile * _count) - 1)]);
        }
    }
}
