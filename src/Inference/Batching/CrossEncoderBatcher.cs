using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Inference.Batching;

/// <summary>
/// Cross-request micro-batching for one model on one silo. Callers tokenise on their own threads and
/// queue their pairs, if <see cref="TokenAdmission"/> admits them against Batching:MaxQueuedTokens
/// (else <see cref="QueueFullException"/> at once); inference threads take waiting pairs in weighted
/// fair order across tenants (after at most MaxWait for company), sort them by length so rows pad
/// little, cut batches bounded by MaxBatchPairs, MaxBatchTokens (padded tokens) and MaxBatchTime, run them, and
/// hand each caller its scores in its own order. A cancelled request's pairs leave the queue at once.
/// </summary>
public sealed class CrossEncoderBatcher : IAsyncDisposable
{
    private static readonly TimeSpan MinRetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);
    private readonly Func<EncodedBatch, float[]> _score;
    private readonly TextTokenizer _tokenizer;
    private readonly BatcherOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly WeightedFairQueue<Pair> _queue;
    private readonly Dictionary<string, int> _admittedParts = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _arrivals = new(0);
    private readonly ThroughputMeter _throughput;
    private readonly Task[] _loops;
    private bool _closed;

    public CrossEncoderBatcher(Func<EncodedBatch, float[]> score, TextTokenizer tokenizer, BatcherOptions options, ILogger? logger = null)
    {
        _score = score;
        _tokenizer = tokenizer;
        _options = options;
        _queue = new WeightedFairQueue<Pair>(options.QuietTenantBurstTokens);
        _logger = logger ?? NullLogger.Instance;
        _throughput = new ThroughputMeter(options.InferenceThreads);
        // Each loop owns its thread throughout (it never awaits): a model call blocks it, not a thread-pool worker.
        _loops = Enumerable.Range(0, options.InferenceThreads)
            .Select(_ => Task.Factory.StartNew(Serve, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
    }

    /// <summary>
    /// Called after every model call; keep it cheap. The record's batch goes back to the pool when the
    /// handler returns: <see cref="EncodedBatch.Clone"/> it to keep it. A handler that throws is logged, not fatal.
    /// </summary>
    public event Action<BatchRecord>? BatchCompleted;

    /// <summary>Pairs taken out of the queue, never scored, because their request was cancelled.</summary>
    public event Action<int>? PairsCancelled;

    /// <summary>Pairs waiting for a model call right now.</summary>
    public long QueueDepth
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Real tokens this silo's model scores per second, measured over its recent calls; 0 before the first.</summary>
    public double TokensPerSecond => _throughput.TokensPerSecond;

    /// <summary>Pair tokens waiting for a model call right now (what admission counts).</summary>
    public long QueuedTokens
    {
        get
        {
            lock (_gate)
            {
                return _queue.Cost;
            }
        }
    }

    public sealed record Scores(float[] Logits, double TokenizeMs, double InferenceMs, long PaddedTokens, long RealTokens);

    /// <param name="tenant">Whose request this is, for fair queueing (Batching:TenantWeights).</param>
    /// <param name="requestId">
    /// The caller's request this is a part of: while a part of it is here, its other parts are admitted
    /// without counting against the budget, so a query split into micro-batches, once admitted, completes.
    /// </param>
    /// <exception cref="QueueFullException">Admission refused the request; nothing was queued.</exception>
    public Task<Scores> Score(string tenant, string query, IReadOnlyList<string> passages, int maxLength, CancellationToken cancellationToken = default,
        string? requestId = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var clock = Stopwatch.StartNew();
        var queryTokens = _tokenizer.Tokenize(query);
        var request = new Request(tenant, passages.Count);
        var pairs = new Pair[passages.Count];
        for (var i = 0; i < passages.Count; i++)
        {
            var (ids, types) = _tokenizer.EncodePair(queryTokens, _tokenizer.Tokenize(passages[i]), maxLength);
            pairs[i] = new Pair(request, i, ids, types);
        }

        request.TokenizeMs = clock.Elapsed.TotalMilliseconds;
        if (pairs.Length == 0)
        {
            request.Complete();
            return request.Completion.Task;
        }

        Enqueue(request, pairs, requestId);
        _arrivals.Release();
        if (cancellationToken.CanBeCanceled)
        {
            request.OnCancel(cancellationToken, () => Cancel(request, cancellationToken));
        }

        return request.Completion.Task;
    }

    /// <summary>
    /// Batching:MaxQueuedTokens, or less once the throughput is measured: what it drains in Batching:MaxQueueDelay
    /// plus the request itself, so a request is admitted while the work ahead of it would start within the delay;
    /// but never less than one model call (<see cref="BatchTokenLimit"/>), so that a slow silo, whose one call
    /// already takes longer than the delay, still has its next call waiting.
    /// </summary>
    private long AdmissionBudget(long requestTokens)
    {
        var rate = _throughput.TokensPerSecond;
        if (_options.MaxQueueDelay <= TimeSpan.Zero || rate <= 0)
        {
            return _options.MaxQueuedTokens;
        }

        var drained = (long)(rate * _options.MaxQueueDelay.TotalSeconds);
        return Math.Min(Math.Max(drained + requestTokens, BatchTokenLimit()), _options.MaxQueuedTokens);
    }

    private void Enqueue(Request request, Pair[] pairs, string? requestId)
    {
        var tokens = pairs.Sum(p => (long)p.Ids.Length);
        var weight = _options.WeightOf(request.Tenant);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            var partOfAdmitted = requestId is not null && _admittedParts.ContainsKey(requestId);
            var budget = AdmissionBudget(tokens);
            if (!partOfAdmitted && !TokenAdmission.Admits(_queue.Cost, _queue.CostOf(request.Tenant), weight,
                    _queue.WaitingWeight(request.Tenant, weight), tokens, budget))
            {
                throw new QueueFullException(_queue.Cost, tokens, budget,
                    _throughput.TimeFor(_queue.Cost, MinRetryAfter, MaxRetryAfter));
            }

            foreach (var pair in pairs)
            {
                _queue.Enqueue(request.Tenant, weight, pair.Ids.Length, pair);
            }

            if (requestId is not null)
            {
                _admittedParts[requestId] = _admittedParts.GetValueOrDefault(requestId) + 1;
                request.Completion.Task.ContinueWith(_ => PartSettled(requestId), CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private void PartSettled(string requestId)
    {
        lock (_gate)
        {
            if (--_admittedParts[requestId] == 0)
            {
                _admittedParts.Remove(requestId);
            }
        }
    }

    private void Cancel(Request request, CancellationToken cancellationToken)
    {
        int dropped;
        lock (_gate)
        {
            dropped = _queue.RemoveAll(request.Tenant, pair => pair.Request == request);
        }

        request.Cancel(cancellationToken);
        if (dropped > 0)
        {
            Notify(PairsCancelled, dropped);
        }
    }

    private void Serve()
    {
        var window = new List<Pair>();
        while (NextWindow(window))
        {
            var plan = MicroBatchPlanner.Plan(window.Select(p => p.Ids.Length).ToArray(), _options.MaxBatchPairs,
                Math.Max(BatchTokenLimit(), window.Max(p => (long)p.Ids.Length)), _options.MaxPaddingFraction);
            foreach (var indices in plan)
            {
                Run(indices.Select(i => window[i]).ToArray());
            }
        }
    }

    /// <summary>Waits for pairs and takes a window of them; false once the batcher is closed and drained.</summary>
    private bool NextWindow(List<Pair> window)
    {
        window.Clear();
        while (true)
        {
            lock (_gate)
            {
                if (_queue.Count > 0)
                {
                    break;
                }

                if (_closed)
                {
                    return false;
                }
            }

            // One release per request, so a window that took several leaves spare wake-ups: harmless.
            _arrivals.Wait();
        }

        Take(window);
        if (window.Count < _options.MaxBatchPairs && _options.MaxWait > TimeSpan.Zero)
        {
            // Alone or nearly: give concurrent requests a moment to join this batch.
            Thread.Sleep(_options.MaxWait);
            Take(window);
        }

        return true;
    }

    /// <summary>
    /// Takes pairs in fair order up to one model batch (Batching:MaxBatchPairs, MaxBatchTokens): a larger
    /// window would sort lengths a little better, but a tenant arriving meanwhile would wait for all of it,
    /// not for one batch.
    /// </summary>
    private void Take(List<Pair> window)
    {
        var limit = BatchTokenLimit();
        lock (_gate)
        {
            var tokens = window.Sum(p => (long)p.Ids.Length);
            while (window.Count < _options.MaxBatchPairs && tokens < limit && _queue.TryDequeue(out var pair))
            {
                window.Add(pair);
                tokens += pair.Ids.Length;
            }
        }
    }

    /// <summary>Batching:MaxBatchTokens, or what the measured speed scores in Batching:MaxBatchTime when that is less.</summary>
    private long BatchTokenLimit()
    {
        var rate = _throughput.TokensPerSecond;
        return _options.MaxBatchTime > TimeSpan.Zero && rate > 0
            ? Math.Clamp((long)(rate * _options.MaxBatchTime.TotalSeconds), 1, _options.MaxBatchTokens)
            : _options.MaxBatchTokens;
    }

    private void Run(Pair[] pairs)
    {
        var requests = pairs.Select(p => p.Request).Distinct().ToArray();
        try
        {
            using var batch = EncodedBatch.Pad(pairs.Select(p => (p.Ids, p.Types)).ToArray(), _tokenizer.PadId);
            var clock = Stopwatch.StartNew();
            var logits = _score(batch);
            var inferenceMs = clock.Elapsed.TotalMilliseconds;
            _throughput.Record(batch.RealTokens, clock.Elapsed);
            // Reported before the callers resume, so whoever they answer sees the batch counted.
            Notify(BatchCompleted, new BatchRecord(batch.Rows, batch.Width, batch.RealTokens, requests.Length, inferenceMs, batch));
            foreach (var group in pairs.Select((pair, row) => (pair, row)).GroupBy(x => x.pair.Request))
            {
                group.Key.Deliver(group.Select(x => (x.pair.Index, logits[x.row], x.pair.Ids.Length)).ToArray(), inferenceMs, batch.Width);
            }
        }
        catch (Exception ex)
        {
            // The model call (or padding) failed: its requests fail, the loop keeps serving the others.
            foreach (var request in requests)
            {
                request.Fail(ex);
            }
        }
    }

    /// <summary>Calls each handler on its own, so one that throws neither stops the loop nor the handlers after it.</summary>
    private void Notify<T>(Action<T>? handlers, T argument)
    {
        foreach (var handler in handlers?.GetInvocationList().Cast<Action<T>>() ?? [])
        {
            try
            {
                handler(argument);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "A {Event} handler of the cross-encoder batcher threw; ignored", typeof(T).Name);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _closed = true;
        }

        _arrivals.Release(_loops.Length);
        await Task.WhenAll(_loops);
        _arrivals.Dispose();
    }

    private sealed record Pair(Request Request, int Index, int[] Ids, int[] Types);

    /// <summary>One caller's pairs: completes when the last of them has been scored, or when it is cancelled.</summary>
    private sealed class Request(string tenant, int count)
    {
        private readonly float[] _logits = new float[count];
        private readonly object _gate = new();
        private int _remaining = count;
        private double _inferenceMs;
        private long _paddedTokens;
        private long _realTokens;
        private CancellationTokenRegistration _cancellation;

        public string Tenant { get; } = tenant;

        public TaskCompletionSource<Scores> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public double TokenizeMs { get; set; }

        public void Deliver((int Index, float Logit, int Tokens)[] scored, double inferenceMs, int batchWidth)
        {
            lock (_gate)
            {
                foreach (var (index, logit, tokens) in scored)
                {
                    _logits[index] = logit;
                    _realTokens += tokens;
                }

                // A request's share of a batch's cost: its own rows, padded to the batch's width.
                _paddedTokens += (long)scored.Length * batchWidth;
                _inferenceMs = Math.Max(_inferenceMs, inferenceMs);
                _remaining -= scored.Length;
                if (_remaining == 0)
                {
                    Complete();
                }
            }
        }

        public void OnCancel(CancellationToken cancellationToken, Action cancel)
        {
            var registration = cancellationToken.Register(cancel);
            lock (_gate)
            {
                _cancellation = registration;
            }

            // Already answered (or cancelled while registering): the registration has nothing left to do.
            if (Completion.Task.IsCompleted)
            {
                registration.Dispose();
            }
        }

        public void Complete()
        {
            Completion.TrySetResult(new Scores(_logits, TokenizeMs, _inferenceMs, _paddedTokens, _realTokens));
            Release();
        }

        public void Fail(Exception error)
        {
            Completion.TrySetException(error);
            Release();
        }

        public void Cancel(CancellationToken cancellationToken) => Completion.TrySetCanceled(cancellationToken);

        private void Release()
        {
            CancellationTokenRegistration registration;
            lock (_gate)
            {
                registration = _cancellation;
            }

            registration.Dispose();
        }
    }
}
