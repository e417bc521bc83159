namespace RerankCluster.Inference.Batching;

/// <summary>
/// Weighted fair queueing over flows (tenants), self-clocked: an item costing c in a flow of weight w
/// finishes at max(virtual time, the flow's last finish) + c / w, and the item with the earliest
/// finish goes first. A flow that floods only pushes its own finish times back, so another flow's
/// next item is served after at most one item per other flow of comparable cost. Not thread-safe:
/// the owner locks.
/// </summary>
public sealed class WeightedFairQueue<T>
{
    private readonly Dictionary<string, Flow> _flows = new(StringComparer.Ordinal);
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
            queue = new Flow(weight);
            _flows[flow] = queue;
        }

        var start = Math.Max(_virtualTime, queue.LastFinish);
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
        _virtualTime = entry.Finish;
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
        Count -= removed;
        Forget(flow, queue);
        return removed;
    }

    private static bool Earlier(Entry a, Entry b) => a.Finish < b.Finish || (a.Finish == b.Finish && a.Sequence < b.Sequence);

    // An empty flow's last finish is at most the virtual time once its last item was served, so dropping it loses
    // nothing; emptied by removal, the flow only regains the time of work it never got.
    private void Forget(string name, Flow flow)
    {
        if (flow.Items.Count == 0)
        {
            _flows.Remove(name);
        }
    }

    private sealed class Flow(double weight)
    {
        public double Weight { get; } = weight;

        public Queue<Entry> Items { get; set; } = new();

        public long Cost { get; set; }

        public double LastFinish { get; set; }
    }

    private readonly record struct Entry(T Item, long Cost, double Finish, long Sequence);
}
