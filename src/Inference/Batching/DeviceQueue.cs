namespace RerankCluster.Inference.Batching;

/// <summary>What a model call is for, which decides its place in a <see cref="DeviceQueue"/>.</summary>
public enum DeviceWork
{
    /// <summary>A request is waiting for it (a search's query embedding).</summary>
    Interactive,

    /// <summary>Background work that only needs throughput (embedding chunks at ingestion).</summary>
    Bulk,
}

/// <summary>
/// One model's device, one call at a time, as an accelerator runs them: a waiting interactive call goes
/// before every waiting bulk call, each class in arrival order. A search thus waits for at most the one
/// bulk call already running, however much ingestion is queued. A waiter whose token is cancelled leaves
/// the queue at once.
/// </summary>
public sealed class DeviceQueue
{
    private readonly object _gate = new();
    private readonly LinkedList<Waiter> _interactive = new();
    private readonly LinkedList<Waiter> _bulk = new();
    private bool _busy;

    /// <summary>Calls waiting for the device now (not the one running).</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _interactive.Count + _bulk.Count;
            }
        }
    }

    /// <summary>Completes when the device is this caller's; dispose the lease to hand it on.</summary>
    public Task<IDisposable> EnterAsync(DeviceWork work, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_gate)
        {
            if (!_busy)
            {
                _busy = true;
                return Task.FromResult<IDisposable>(new Lease(this));
            }

            waiter = new Waiter();
            waiter.Node = (work == DeviceWork.Interactive ? _interactive : _bulk).AddLast(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.Register(() => Abandon(waiter, cancellationToken));
            // Granted while registering: nothing left for the registration to do.
            if (waiter.Completion.Task.IsCompleted)
            {
                waiter.Registration.Dispose();
            }
        }

        return waiter.Completion.Task;
    }

    private void Abandon(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // Already granted: the lease is the caller's to dispose.
            if (waiter.Node?.List is not { } queue)
            {
                return;
            }

            queue.Remove(waiter.Node);
        }

        waiter.Completion.TrySetCanceled(cancellationToken);
    }

    private void Exit()
    {
        Waiter next;
        lock (_gate)
        {
            var queue = _interactive.Count > 0 ? _interactive : _bulk;
            if (queue.Count == 0)
            {
                _busy = false;
                return;
            }

            next = queue.First!.Value;
            queue.RemoveFirst();
        }

        next.Registration.Dispose();
        next.Completion.TrySetResult(new Lease(this));
    }

    private sealed class Waiter
    {
        public TaskCompletionSource<IDisposable> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }

    private sealed class Lease(DeviceQueue device) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                device.Exit();
            }
        }
    }
}
