namespace RerankCluster.Inference.Batching;

/// <summary>
/// Tokens a batcher scores per second, as an exponentially weighted average of its model calls after
/// the first (each call's real tokens over its duration, times the calls that run at once). Thread-safe.
/// </summary>
public sealed class ThroughputMeter(int parallelCalls)
{
    // Weight of the newest call: recent enough to follow a slowing device within a few calls.
    private const double Smoothing = 0.3;
    private readonly object _gate = new();
    private double _tokensPerSecond;
    private bool _warmedUp;

    /// <summary>0 until a model call after the first (warm-up) one has been measured.</summary>
    public double TokensPerSecond
    {
        get
        {
            lock (_gate)
            {
                return _tokensPerSecond;
            }
        }
    }

    public void Record(long tokens, TimeSpan duration)
    {
        if (tokens <= 0 || duration <= TimeSpan.Zero)
        {
            return;
        }

        var rate = tokens / duration.TotalSeconds * parallelCalls;
        lock (_gate)
        {
            // The first call warms the model up (allocations, kernel choice) and can be several times slower than
            // the rest. Counted, it would mark the silo slow, and dispatch by speed would then send it too little
            // work to measure it again.
            if (!_warmedUp)
            {
                _warmedUp = true;
                return;
            }

            _tokensPerSecond = _tokensPerSecond == 0 ? rate : _tokensPerSecond + Smoothing * (rate - _tokensPerSecond);
        }
    }

    /// <summary>How long <paramref name="tokens"/> take to drain at the measured rate, within [minimum, maximum]; the minimum before any measurement.</summary>
    public TimeSpan TimeFor(long tokens, TimeSpan minimum, TimeSpan maximum)
    {
        var rate = TokensPerSecond;
        if (rate <= 0)
        {
            return minimum;
        }

        var seconds = Math.Clamp(tokens / rate, minimum.TotalSeconds, maximum.TotalSeconds);
        return TimeSpan.FromSeconds(seconds);
    }
}
