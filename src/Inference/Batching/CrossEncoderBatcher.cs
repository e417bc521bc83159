using System.Diagnostics;
using System.Threading.Channels;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Inference.Batching;

/// <summary>
/// Cross-request micro-batching for one model on one silo. Callers tokenise on their own threads and
/// queue their pairs; inference threads take every pair waiting (after at most MaxWait for company),
/// sort them by length so rows pad little, cut batches bounded by MaxBatchPairs and MaxBatchTokens
/// (padded tokens), run them, and hand each caller its scores in its own order.
/// </summary>
public sealed class CrossEncoderBatcher : IAsyncDisposable
{
    private readonly Func<EncodedBatch, float[]> _score;
    private readonly BertTextTokenizer _tokenizer;
    private readonly BatcherOptions _options;
    private readonly Channel<Pair> _queue = Channel.CreateUnbounded<Pair>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly Task[] _loops;
    private long _queued;

    public CrossEncoderBatcher(Func<EncodedBatch, float[]> score, BertTextTokenizer tokenizer, BatcherOptions options)
    {
        _score = score;
        _tokenizer = tokenizer;
        _options = options;
        _loops = Enumerable.Range(0, options.InferenceThreads)
            .Select(_ => Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap())
            .ToArray();
    }

    /// <summary>
    /// Called after every model call; keep it cheap. The record's batch goes back to the pool when the
    /// handler returns: <see cref="EncodedBatch.Clone"/> it to keep it.
    /// </summary>
    public event Action<BatchRecord>? BatchCompleted;

    /// <summary>Pairs waiting for a model call right now.</summary>
    public long QueueDepth => Interlocked.Read(ref _queued);

    public sealed record Scores(float[] Logits, double TokenizeMs, double InferenceMs, long PaddedTokens, long RealTokens);

    public Task<Scores> Score(string query, IReadOnlyList<string> passages, int maxLength)
    {
        var clock = Stopwatch.StartNew();
        var queryTokens = _tokenizer.Tokenize(query);
        var request = new Request(passages.Count);
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
        }

        Interlocked.Add(ref _queued, pairs.Length);
        foreach (var pair in pairs)
        {
            if (!_queue.Writer.TryWrite(pair))
            {
                throw new ObjectDisposedException(nameof(CrossEncoderBatcher), "The batcher is shutting down.");
            }
        }

        return request.Completion.Task;
    }

    private async Task RunAsync()
    {
        var window = new List<Pair>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            window.Clear();
            Drain(window);
            if (window.Count < _options.MaxBatchPairs && _options.MaxWait > TimeSpan.Zero)
            {
                // Alone or nearly: give concurrent requests a moment to join this batch.
                await Task.Delay(_options.MaxWait);
                Drain(window);
            }

            if (window.Count == 0)
            {
                continue;
            }

            Interlocked.Add(ref _queued, -window.Count);
            var plan = MicroBatchPlanner.Plan(window.Select(p => p.Ids.Length).ToArray(), _options.MaxBatchPairs, _options.MaxBatchTokens,
                _options.MaxPaddingFraction);
            foreach (var indices in plan)
            {
                Run(indices.Select(i => window[i]).ToArray());
            }
        }
    }

    private void Drain(List<Pair> window)
    {
        var limit = _options.MaxBatchPairs * 8;
        while (window.Count < limit && _queue.Reader.TryRead(out var pair))
        {
            window.Add(pair);
        }
    }

    private void Run(Pair[] pairs)
    {
        using var batch = EncodedBatch.Pad(pairs.Select(p => (p.Ids, p.Types)).ToArray(), _tokenizer.PadId);
        var clock = Stopwatch.StartNew();
        float[] logits;
        try
        {
            logits = _score(batch);
        }
        catch (Exception ex)
        {
            foreach (var request in pairs.Select(p => p.Request).Distinct())
            {
                request.Fail(ex);
            }

            return;
        }

        var inferenceMs = clock.Elapsed.TotalMilliseconds;
        // Reported before the callers resume, so whoever they answer sees the batch counted.
        BatchCompleted?.Invoke(new BatchRecord(batch.Rows, batch.Width, batch.RealTokens, pairs.Select(p => p.Request).Distinct().Count(),
            inferenceMs, batch));
        foreach (var group in pairs.Select((pair, row) => (pair, row)).GroupBy(x => x.pair.Request))
        {
            group.Key.Deliver(group.Select(x => (x.pair.Index, logits[x.row], x.pair.Ids.Length)).ToArray(), inferenceMs, batch.Width);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_loops);
    }

    private sealed record Pair(Request Request, int Index, int[] Ids, int[] Types);

    /// <summary>One caller's pairs: completes when the last of them has been scored.</summary>
    private sealed class Request(int count)
    {
        private readonly float[] _logits = new float[count];
        private readonly object _gate = new();
        private int _remaining = count;
        private double _inferenceMs;
        private long _paddedTokens;
        private long _realTokens;

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

        public void Complete() =>
            Completion.TrySetResult(new Scores(_logits, TokenizeMs, _inferenceMs, _paddedTokens, _realTokens));

        public void Fail(Exception error) => Completion.TrySetException(error);
    }
}
