namespace RerankCluster.Gateway.Resilience;

/// <summary>
/// Caps retries so that a struggling cluster is not hit by a retry storm: every request deposits
/// <c>ratio</c> of a token, every retry spends one, and a small refill per second keeps rare
/// retries possible when traffic is light.
/// </summary>
public sealed class RetryBudget
{
    private readonly double _ratio;
    private readonly double _perSecond;
    private readonly double _capacity;
    private readonly TimeProvider _clock;
    private readonly object _gate = new();
    private double _tokens;
    private long _lastRefill;

    public RetryBudget(double ratio = 0.1, double minimumPerSecond = 5, TimeProvider? clock = null)
    {
        _ratio = ratio;
        _perSecond = minimumPerSecond;
        _capacity = Math.Max(minimumPerSecond * 10, 100);
        _clock = clock ?? TimeProvider.System;
        _tokens = minimumPerSecond;
        _lastRefill = _clock.GetTimestamp();
    }

    public void RecordRequest()
    {
        lock (_gate)
        {
            Refill();
            _tokens = Math.Min(_tokens + _ratio, _capacity);
        }
    }

    public bool TryWithdraw()
    {
        lock (_gate)
        {
            Refill();
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }

    private void Refill()
    {
        var now = _clock.GetTimestamp();
        _tokens = Math.Min(_tokens + _clock.GetElapsedTime(_lastRefill, now).TotalSeconds * _perSecond, _capacity);
        _lastRefill = now;
    }
}
