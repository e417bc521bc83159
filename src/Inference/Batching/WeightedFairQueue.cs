namespace RerankCluster.Inference.Batching;

/// <summary>
/// Weighted fair queueing over flows (tenants), self-clocked: an item costing c in a flow of weight w
/// finishes at max(virtual time, the flow's last finish) + c / w, and the item with the earliest
/// finish goes first. A flow that floods only pushes its own finish times back, so another flow's
/// next item is served after at most one item per other flow of comparable cost.
/// A flow's work may also start up to <c>burstCost</c> / w before the virtual time, so a quiet tenant's
/// whole request (up to that cost) goes ahead of a backlogged flood instead of being interleaved with
/// it, as FQ-CoDel serves sparse flows first. The credit is bounded (no flow gets more than its share
/// plus one burst over any interval) and is earned back only as fast as the virtual time advances, so a
/// flow that keeps sending has its last finish at or past the virtual time and gains nothing. Not
/// thread-safe: the owner locks.
/// </summary>
public sealed class WeightedFairQueue<T>(long burstCost = 0)
{
    /// <summary>Idle flows remembered beyond this are pruned of those that have earned the whole burst anyway.</summary>
    private const int IdleFlowsKept = 1024;

    private readonly Dictionary<string, Flow> _flows = new(StringComparer.Ordinal);
    // Last finish of flows with nothing queued: a flow that just emptied must not come back with credit it has not earned.
    private readonly Dictionary<string, (double Finish, double Weight)> _idle = new(StringComparer.Ordinal);
    private double _virtualTime;
    private long _sequence;

    public int Count { get; private set; }

    /// <summary>The summed cost of every queued item.</summary>
    public long Cost { get; private set; }

    /// <summary>The summed cost of the items <paramref name="flow"/> has queued.</summary>
    public long CostOf(string flow) => _flows.TryGetValue(flow, out var queue) ? queue.Cost : 0;

    /// <summary>The summed weights of the flows with items queued, plus <paramref name="flow"/>'s if it has none.</summary>
    public double WaitingWeight(string flow, double weight) =>
        _flows.Values.Sum(f => f.Weight) + (_flows.ContainsKey(flow) ? 0 : weight);

    public void Enqueue(string flow, double weight, long cost, T item)
    {
        if (!_flows.TryGetValue(flow, out var queue))
        {
            queue = new Flow(weight) { LastFinish = _idle.Remove(flow, out var idle) ? idle.Finish : double.MinValue };
            _flows[flow] = queue;
        }

        // No flow's work starts more than its burst behind the virtual time: what it may be ahead of its fair share.
        var start = Math.Max(_virtualTime - burstCost / weight, queue.LastFinish);
        queue.LastFinish = start + cost / weight;
        queue.Items.Enqueue(new Entry(item, cost, queue.LastFinish, _sequence++));
        queue.Cost += cost;
        Count++;
        Cost += cost;
    }

    public bool TryDequeue(out T item)
    {
        // Scanning the flows' heads is linear in the tenants waiting, which stay few next to the items.
        KeyValuePair<string, Flow>? best = null;
        foreach (var flow in _flows)
        {
            var head = flow.Value.Items.Peek();
            if (best is null || Earlier(head, best.Value.Value.Items.Peek()))
            {
                best = flow;
            }
        }

        if (best is not { } chosen)
        {
            item = default!;
            return false;
        }

        var entry = chosen.Value.Items.Dequeue();
        chosen.Value.LastServed = entry.Finish;
        // Never backwards: an item started on burst credit finishes before the virtual time.
        _virtualTime = Math.Max(_virtualTime, entry.Finish);
        chosen.Value.Cost -= entry.Cost;
        Forget(chosen.Key, chosen.Value);
        Count--;
        Cost -= entry.Cost;
        item = entry.Item;
        return true;
    }

    /// <summary>Takes every queued item of <paramref name="flow"/> that matches out of the queue; returns how many.</summary>
    public int RemoveAll(string flow, Func<T, bool> match)
    {
        if (!_flows.TryGetValue(flow, out var queue))
        {
            return 0;
        }

        var kept = new Queue<Entry>(queue.Items.Count);
        var removed = 0;
        foreach (var entry in queue.Items)
        {
            if (match(entry.Item))
            {
                removed++;
                Cost -= entry.Cost;
                queue.Cost -= entry.Cost;
            }
            else
            {
                kept.Enqueue(entry);
            }
        }

        queue.Items = kept;
        // Removed work was never served: the flow is charged only up to what it keeps, or what it was last served.
        queue.LastFinish = kept.Count > 0 ? kept.Last().Finish : queue.LastServed;
        Count -= removed;
        Forget(flow, queue);
        return removed;
    }

    private static bool Earlier(Entry a, Entry b) => a.Finish < b.Finish || (a.Finish == b.Finish && a.Sequence < b.Sequence);

    private void Forget(string name, Flow flow)
    {
        if (flow.Items.Count > 0)
        {
            return;
        }

        _flows.Remove(name);
        if (burstCost <= 0)
        {
            return;
        }

        _idle[name] = (flow.LastFinish, flow.Weight);
        if (_idle.Count > IdleFlowsKept)
        {
            foreach (var earned in _idle.Where(f => f.Value.Finish <= _virtualTime - burstCost / f.Value.Weight).Select(f => f.Key).ToList())
            {
                _idle.Remove(earned);
            }
        }
    }

    private sealed class Flow(double weight)
    {
        public double Weight { get; } = weight;

        public Queue<Entry> Items { get; set; } = new();

        public long Cost { get; set; }

        public double LastFinish { get; set; }

        public double LastServed { get; set; } = double.MinValue;
    }

    private readonly record struct Entry(T Item, long Cost, double Finish, long Sequence);
}
