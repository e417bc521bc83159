using System.Collections.Concurrent;
using RerankCluster.Inference.Batching;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.UnitTests;

[Collection(ModelCollection.Name)]
public sealed class CrossEncoderBatcherTests(ModelFixture models)
{
    private static readonly TimeSpan LivenessBound = TimeSpan.FromMinutes(1);

    private static string[] Passages(string word, int count, int words) =>
        Enumerable.Range(0, count).Select(_ => string.Join(' ', Enumerable.Repeat(word, words))).ToArray();

    [Fact]
    public async Task Concurrent_requests_share_batches_and_get_their_own_scores_in_order()
    {
        var rows = new ConcurrentBag<BatchRecord>();
        var scoredRows = 0;
        // A generous wait, so that on a loaded machine the six requests still meet in one window.
        var options = new BatcherOptions { MaxBatchPairs = 12, MaxBatchTokens = 4096, MaxWait = TimeSpan.FromMilliseconds(250) };
        await using var batcher = new CrossEncoderBatcher(batch =>
        {
            Interlocked.Add(ref scoredRows, batch.Rows);
            return models.CrossEncoder.Score(batch);
        }, models.CrossEncoder.Tokenizer, options);
        batcher.BatchCompleted += rows.Add;

        var random = new Random(11);
        var requests = Enumerable.Range(0, 6).Select(q => (
            Query: $"question number {q} about rivers and mountains",
            Passages: Enumerable.Range(0, 3 + q * 2)
                .Select(p => $"passage {q}-{p} " + string.Join(' ', Enumerable.Repeat("valley glacier erosion", random.Next(1, 25))))
                .ToArray())).ToArray();

        var results = await Task.WhenAll(requests.Select(r => Task.Run(() => batcher.Score("t", r.Query, r.Passages, 512))));

        var totalPairs = requests.Sum(r => r.Passages.Length);
        Assert.Equal(totalPairs, scoredRows);
        Assert.Equal(totalPairs, rows.Sum(r => r.Rows));
        Assert.Contains(rows, r => r.Requests > 1);
        Assert.All(rows, r => Assert.True(r.Rows <= options.MaxBatchPairs && (r.Rows == 1 || r.PaddedTokens <= options.MaxBatchTokens)));
        for (var q = 0; q < requests.Length; q++)
        {
            Assert.Equal(requests[q].Passages.Length, results[q].Logits.Length);
            for (var p = 0; p < requests[q].Passages.Length; p++)
            {
                var alone = models.CrossEncoder.Score(requests[q].Query, [requests[q].Passages[p]])[0];
                Assert.Equal(alone, results[q].Logits[p], 1e-4f);
            }
        }

        Assert.Equal(0, batcher.QueueDepth);
    }

    [Fact]
    public async Task Every_model_call_runs_on_the_batchers_own_thread_never_on_a_thread_pool_worker()
    {
        var threads = new ConcurrentBag<(int Id, bool Pooled)>();
        await using var batcher = new CrossEncoderBatcher(batch =>
        {
            threads.Add((Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread));
            return models.CrossEncoder.Score(batch);
        }, models.CrossEncoder.Tokenizer, new BatcherOptions { MaxWait = TimeSpan.FromMilliseconds(5) });

        // One after the other, so the loop waits for arrivals (and for company) between calls.
        for (var i = 0; i < 4; i++)
        {
            await batcher.Score("t", "a query", Passages("word", 3, 5), 512).WaitAsync(LivenessBound);
        }

        Assert.Equal(4, threads.Count);
        Assert.All(threads, t => Assert.False(t.Pooled));
        Assert.Single(threads.Select(t => t.Id).Distinct());
    }

    [Fact]
    public async Task A_failing_model_call_fails_its_requests_and_the_batcher_keeps_serving()
    {
        var calls = 0;
        await using var batcher = new CrossEncoderBatcher(batch =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("model exploded");
            }

            return models.CrossEncoder.Score(batch);
        }, models.CrossEncoder.Tokenizer, new BatcherOptions { MaxWait = TimeSpan.Zero });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.Score("t", "q", ["a", "b"], 128));
        Assert.Equal("model exploded", error.Message);
        var after = await batcher.Score("t", "q", ["a", "b"], 128);
        Assert.Equal(2, after.Logits.Length);
        Assert.Empty((await batcher.Score("t", "q", [], 128)).Logits);
    }

    [Fact]
    public async Task Past_its_token_budget_a_request_is_refused_at_once_and_admitted_ones_complete()
    {
        var model = new GatedModel();
        var options = new BatcherOptions { MaxBatchTokens = 512, MaxQueuedTokens = 512, MaxWait = TimeSpan.Zero };
        await using var batcher = new CrossEncoderBatcher(model.Score, models.CrossEncoder.Tokenizer, options);
        var running = batcher.Score("t", "rivers", ["a running batch"], 512);
        model.Entered.Wait(LivenessBound);

        // The queue is empty, so a request is admitted whatever its size; past the budget, the next is not.
        var admitted = batcher.Score("t", "rivers", Passages("valley", 3, 100), 512);
        Assert.True(batcher.QueuedTokens > 300);
        var refused = Assert.Throws<QueueFullException>(() =>
        {
            _ = batcher.Score("t", "rivers", Passages("glacier", 2, 100), 512);
        });
        Assert.Contains("Batching:MaxQueuedTokens", refused.Message);
        Assert.True(refused.RetryAfter >= TimeSpan.FromSeconds(1));
        Assert.Equal(3, batcher.QueueDepth);

        model.Release.Set();
        Assert.Single((await running.WaitAsync(LivenessBound)).Logits);
        Assert.Equal(3, (await admitted.WaitAsync(LivenessBound)).Logits.Length);
        Assert.Equal(0, batcher.QueuedTokens);
        Assert.Equal(4, model.ScoredRows);
    }

    [Theory]
    [InlineData(1000, true)]
    [InlineData(0, false)]
    public async Task Once_throughput_is_measured_a_model_call_holds_what_the_silo_scores_in_MaxBatchTime(int maxBatchTimeMs, bool split)
    {
        // The two measured calls take at least 300 ms for ~100 tokens each: at most ~350 tokens/s, so 1 s of work
        // is about three of the six ~100-token pairs below, while MaxBatchTokens alone would take all six.
        var calls = 0;
        var rows = new ConcurrentQueue<int>();
        var options = new BatcherOptions { MaxBatchTokens = 4096, MaxWait = TimeSpan.Zero, MaxBatchTime = TimeSpan.FromMilliseconds(maxBatchTimeMs) };
        await using var batcher = new CrossEncoderBatcher(batch =>
        {
            if (Interlocked.Increment(ref calls) <= 2)
            {
                Thread.Sleep(300);
            }
            else
            {
                rows.Enqueue(batch.Rows);
            }

            return new float[batch.Rows];
        }, models.CrossEncoder.Tokenizer, options);
        await batcher.Score("t", "rivers", Passages("warm", 1, 100), 512).WaitAsync(LivenessBound);
        await batcher.Score("t", "rivers", Passages("measured", 1, 100), 512).WaitAsync(LivenessBound);

        var scores = await batcher.Score("t", "rivers", Passages("valley", 6, 100), 512).WaitAsync(LivenessBound);

        Assert.Equal(6, scores.Logits.Length);
        Assert.Equal(6, rows.Sum());
        Assert.Equal(split, rows.Count > 1);
    }

    [Theory]
    [InlineData(1000, false)]
    [InlineData(0, true)]
    public async Task Once_throughput_is_measured_a_request_is_admitted_only_while_the_work_ahead_drains_within_MaxQueueDelay(int maxQueueDelayMs, bool admitsThird)
    {
        // The first two calls take at least 300 ms for ~100 tokens each; the first is warm-up and not measured,
        // so the measured rate is at most ~350 tokens/s: four ~100-token pairs queued are more than 1 s of work,
        // so with a 1 s delay nothing more is admitted behind them, though MaxQueuedTokens is far away.
        var model = new GatedModel();
        var calls = 0;
        var options = new BatcherOptions
        {
            MaxBatchTokens = 512, MaxQueuedTokens = 1 << 20, MaxWait = TimeSpan.Zero, MaxQueueDelay = TimeSpan.FromMilliseconds(maxQueueDelayMs),
        };
        await using var batcher = new CrossEncoderBatcher(batch =>
        {
            if (Interlocked.Increment(ref calls) <= 2)
            {
                Thread.Sleep(300);
                return new float[batch.Rows];
            }

            return model.Score(batch);
        }, models.CrossEncoder.Tokenizer, options);
        await batcher.Score("t", "rivers", Passages("warm", 1, 100), 512).WaitAsync(LivenessBound);
        await batcher.Score("t", "rivers", Passages("measured", 1, 100), 512).WaitAsync(LivenessBound);
        var running = batcher.Score("t", "rivers", ["a running batch"], 512);
        model.Entered.Wait(LivenessBound);

        var admitted = batcher.Score("t", "rivers", Passages("valley", 4, 100), 512);
        Task<CrossEncoderBatcher.Scores>? third = null;
        var refusal = Record.Exception(() =>
        {
            third = batcher.Score("t", "rivers", Passages("glacier", 2, 100), 512);
        });

        Assert.Equal(admitsThird, refusal is null);
        if (!admitsThird)
        {
            Assert.Contains("Batching:MaxQueueDelay", Assert.IsType<QueueFullException>(refusal).Message);
        }

        model.Release.Set();
        await running.WaitAsync(LivenessBound);
        Assert.Equal(4, (await admitted.WaitAsync(LivenessBound)).Logits.Length);
        if (third is not null)
        {
            Assert.Equal(2, (await third.WaitAsync(LivenessBound)).Logits.Length);
        }
    }

    [Fact]
    public async Task Once_a_part_of_a_query_is_admitted_its_other_parts_are_too()
    {
        var model = new GatedModel();
        var options = new BatcherOptions { MaxBatchTokens = 512, MaxQueuedTokens = 512, MaxWait = TimeSpan.Zero };
        await using var batcher = new CrossEncoderBatcher(model.Score, models.CrossEncoder.Tokenizer, options);
        var running = batcher.Score("t", "rivers", ["a running batch"], 512, requestId: "q1");
        model.Entered.Wait(LivenessBound);

        // Past the budget, yet part of q1, which holds a running batch here.
        var part = batcher.Score("t", "rivers", Passages("valley", 6, 100), 512, requestId: "q1");
        Assert.Throws<QueueFullException>(() =>
        {
            _ = batcher.Score("t", "rivers", Passages("glacier", 1, 10), 512, requestId: "q2");
        });

        model.Release.Set();
        await running.WaitAsync(LivenessBound);
        Assert.Equal(6, (await part.WaitAsync(LivenessBound)).Logits.Length);
        // q1 settled: a new part of it is judged afresh (admitted now, as the queue is empty).
        Assert.Single((await batcher.Score("t", "rivers", ["later"], 512, requestId: "q1").WaitAsync(LivenessBound)).Logits);
    }

    [Fact]
    public async Task A_cancelled_requests_queued_pairs_leave_the_queue_and_are_never_scored()
    {
        var model = new GatedModel();
        await using var batcher = new CrossEncoderBatcher(model.Score, models.CrossEncoder.Tokenizer, new BatcherOptions { MaxWait = TimeSpan.Zero });
        var cancelled = 0;
        batcher.PairsCancelled += pairs => Interlocked.Add(ref cancelled, pairs);
        var running = batcher.Score("t", "rivers", ["a running batch"], 512);
        model.Entered.Wait(LivenessBound);
        using var client = new CancellationTokenSource();
        var abandoned = batcher.Score("t", "glaciers", Passages("moraine", 5, 20), 512, client.Token);
        Assert.Equal(5, batcher.QueueDepth);

        await client.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned.WaitAsync(LivenessBound));
        Assert.Equal(0, batcher.QueueDepth);
        Assert.Equal(5, cancelled);
        model.Release.Set();
        await running.WaitAsync(LivenessBound);
        Assert.Equal(2, (await batcher.Score("t", "rivers", ["after", "it"], 512).WaitAsync(LivenessBound)).Logits.Length);
        Assert.Equal(3, model.ScoredRows);
        Assert.DoesNotContain(models.CrossEncoder.Tokenizer.Tokenize("glaciers")[0], model.FirstQueryTokens);
    }

    [Fact]
    public async Task Fair_queueing_serves_a_quiet_tenant_while_another_floods()
    {
        var model = new GatedModel();
        var options = new BatcherOptions { MaxBatchPairs = 8, MaxWait = TimeSpan.Zero, MaxQueuedTokens = 1 << 20 };
        await using var batcher = new CrossEncoderBatcher(model.Score, models.CrossEncoder.Tokenizer, options);
        var running = batcher.Score("flood", "flood", ["a running batch"], 512);
        model.Entered.Wait(LivenessBound);
        // Equal pair lengths: the batches then keep the order the fair queue hands the pairs out in.
        var flood = Enumerable.Range(0, 40).Select(_ => batcher.Score("flood", "flood", Passages("same", 8, 10), 512)).ToArray();
        var quiet = batcher.Score("quiet", "quiet", Passages("same", 4, 10), 512);

        model.Release.Set();
        await Task.WhenAll(flood.Append(quiet).Append(running)).WaitAsync(LivenessBound);

        var quietToken = models.CrossEncoder.Tokenizer.Tokenize("quiet")[0];
        var order = model.FirstQueryTokens;
        var floodBeforeQuiet = order.Take(order.LastIndexOf(quietToken)).Count(t => t != quietToken) - 1;
        // In arrival order the quiet tenant would wait behind all 320 flooding pairs; weighted fairly, behind about 4.
        Assert.InRange(floodBeforeQuiet, 0, 16);
        Assert.Equal(1 + 320 + 4, order.Count);
    }

    [Fact]
    public async Task A_throwing_BatchCompleted_subscriber_does_not_stop_the_batcher()
    {
        await using var batcher = new CrossEncoderBatcher(batch => new float[batch.Rows], models.CrossEncoder.Tokenizer,
            new BatcherOptions { MaxWait = TimeSpan.Zero });
        var counted = 0;
        batcher.BatchCompleted += _ => throw new InvalidOperationException("a broken subscriber");
        batcher.BatchCompleted += _ => Interlocked.Increment(ref counted);

        Assert.Equal(2, (await batcher.Score("t", "q", ["a", "b"], 128).WaitAsync(LivenessBound)).Logits.Length);
        Assert.Single((await batcher.Score("t", "q", ["c"], 128).WaitAsync(LivenessBound)).Logits);
        Assert.Equal(2, counted);
    }

    [Fact]
    public void Weighted_fair_queueing_serves_backlogged_tenants_in_proportion_to_their_weights()
    {
        var queue = new WeightedFairQueue<string>();
        for (var i = 0; i < 100; i++)
        {
            queue.Enqueue("heavy", 3, 100, "heavy");
            queue.Enqueue("light", 1, 100, "light");
        }

        var served = Enumerable.Range(0, 40).Select(_ => queue.TryDequeue(out var item) ? item : "").ToArray();

        Assert.Equal(30, served.Count(s => s == "heavy"));
        Assert.Equal(10, served.Count(s => s == "light"));
        Assert.Equal(90, queue.RemoveAll("light", _ => true));
        Assert.Equal(70, queue.Count);
        Assert.Equal(7000, queue.Cost);
    }

    [Theory]
    [InlineData(0, 2)]     // plain WFQ: the quiet tenant's five items interleave with the flood's
    [InlineData(1000, 5)]  // with burst credit: all five go next
    public void A_quiet_tenant_request_goes_ahead_of_a_flood_as_a_whole_with_burst_credit(long burst, int quietInFirstFive)
    {
        var queue = new WeightedFairQueue<string>(burst);
        for (var i = 0; i < 100; i++)
        {
            queue.Enqueue("flood", 1, 100, "flood");
        }

        // The flood has been served for a while when the quiet tenant arrives.
        for (var i = 0; i < 20; i++)
        {
            queue.TryDequeue(out _);
        }

        for (var i = 0; i < 5; i++)
        {
            queue.Enqueue("quiet", 1, 100, "quiet");
        }

        var next = Enumerable.Range(0, 5).Select(_ => queue.TryDequeue(out var item) ? item : "").ToArray();
        Assert.Equal(quietInFirstFive, next.Count(s => s == "quiet"));
    }

    [Fact]
    public void Burst_credit_is_bounded_and_not_earned_again_by_coming_straight_back()
    {
        var queue = new WeightedFairQueue<string>(500);
        for (var i = 0; i < 100; i++)
        {
            queue.Enqueue("flood", 1, 100, "flood");
        }

        // Long enough for the flood to have spent the credit it too started with.
        for (var i = 0; i < 10; i++)
        {
            queue.TryDequeue(out _);
        }

        for (var i = 0; i < 20; i++)
        {
            queue.Enqueue("quiet", 1, 100, "quiet");
        }

        // Five items' worth of credit, then one of each in turn.
        var next = Enumerable.Range(0, 11).Select(_ => queue.TryDequeue(out var item) ? item : "").ToArray();
        Assert.Equal(Enumerable.Repeat("quiet", 5), next.Take(5));
        Assert.Equal(3, next.Skip(5).Count(s => s == "quiet"));

        // Emptied (its credit spent) and back at once: in turn with the flood, not ahead of it.
        queue.RemoveAll("quiet", _ => true);
        for (var i = 0; i < 4; i++)
        {
            queue.Enqueue("quiet", 1, 100, "quiet");
        }

        var back = Enumerable.Range(0, 4).Select(_ => queue.TryDequeue(out var item) ? item : "").ToArray();
        Assert.Equal(2, back.Count(s => s == "quiet"));
    }

    [Theory]
    [InlineData(0, 0, 1, 1, 5000, 1000, true)]      // empty queue: even an oversized request runs
    [InlineData(400, 400, 1, 1, 500, 1000, true)]   // within the budget
    [InlineData(900, 900, 1, 1, 500, 1000, false)]  // past it, and the tenant holds it all
    [InlineData(900, 800, 1, 2, 300, 1000, false)]  // past it, the flooding tenant is over its half
    [InlineData(900, 0, 1, 2, 300, 1000, true)]     // past it, the quiet tenant is within its half
    [InlineData(900, 0, 1, 4, 300, 1000, true)]     // a request larger than its quarter share, from a tenant with nothing queued
    [InlineData(900, 200, 1, 4, 300, 1000, false)]  // ... but one with pairs queued is held to its share
    [InlineData(990, 250, 1, 4, 20, 1000, false)]   // at its share already
    public void Admission_past_the_budget_keeps_each_tenant_to_its_weighted_share(long queued, long tenantQueued, double weight,
        double waitingWeight, long request, long budget, bool admitted) =>
        Assert.Equal(admitted, TokenAdmission.Admits(queued, tenantQueued, weight, waitingWeight, request, budget));

    [Fact]
    public void Batching_options_name_the_setting_they_refuse()
    {
        var problems = new BatcherOptionsValidator().Problems(new BatcherOptions { MaxQueuedTokens = 100, TenantWeights = { ["acme"] = 0 } });

        Assert.Contains(problems, p => p.StartsWith("Batching:MaxQueuedTokens", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Batching:TenantWeights:acme", StringComparison.Ordinal));
    }

    [Fact]
    public void Encoded_batch_rows_are_padded_per_batch()
    {
        var batch = EncodedBatch.Pad([([101, 5, 102], [0, 0, 0]), ([101, 102], [0, 0])], 0);
        Assert.Equal(6, batch.PaddedTokens);
        Assert.Equal(5, batch.RealTokens);
    }

    [Fact]
    public void A_pooled_batch_overwrites_what_the_previous_user_of_its_tensors_left()
    {
        // A wide batch of non-zero types and masks goes back to the pool; the narrower batch after it
        // is likely to rent the same arrays and must still read as freshly padded.
        var wide = Enumerable.Range(0, 8).Select(_ => (Enumerable.Repeat(7, 64).ToArray(), Enumerable.Repeat(1, 64).ToArray())).ToArray();
        EncodedBatch.Pad(wide, 0).Dispose();

        using var batch = EncodedBatch.Pad([([101, 5, 6, 102], [0, 0, 1, 1]), ([101, 102], [0, 0])], 3);

        Assert.Equal(new long[] { 101, 5, 6, 102, 101, 102, 3, 3 }, batch.InputIds.ToArray());
        Assert.Equal(new long[] { 1, 1, 1, 1, 1, 1, 0, 0 }, batch.AttentionMask.ToArray());
        Assert.Equal(new long[] { 0, 0, 1, 1, 0, 0, 0, 0 }, batch.TokenTypeIds.ToArray());
    }

    [Fact]
    public void A_disposed_batch_refuses_reads_and_a_clone_outlives_it()
    {
        var batch = models.CrossEncoder.Tokenizer.EncodePairs("rivers", ["a valley carved by a glacier", "tea"], 64);
        var clone = batch.Clone();
        var expected = models.CrossEncoder.Score(batch);
        batch.Dispose();
        batch.Dispose();

        Assert.Throws<ObjectDisposedException>(() => batch.InputIds);
        Assert.Equal(expected, models.CrossEncoder.Score(clone));
    }

    [Fact]
    public async Task Concurrent_calls_on_one_session_each_get_their_own_batch_scores()
    {
        var texts = Enumerable.Range(0, 12).Select(i => string.Join(' ', Enumerable.Repeat($"word{i} stone river", 1 + i * 3))).ToArray();
        var sequential = texts.Select(t => models.CrossEncoder.Score("a question about rivers", [t, "unrelated tea"])).ToArray();

        var concurrent = await Task.WhenAll(texts.Select(t => Task.Run(() => models.CrossEncoder.Score("a question about rivers", [t, "unrelated tea"]))));

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(sequential[i].Length, concurrent[i].Length);
            Assert.All(sequential[i].Zip(concurrent[i]), pair => Assert.Equal(pair.First, pair.Second, 1e-5f));
        }
    }

    /// <summary>A fake model call that holds its first batch until released, and records the first query token of every row it scores.</summary>
    private sealed class GatedModel
    {
        private readonly List<long> _firstQueryTokens = [];

        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public int ScoredRows
        {
            get
            {
                lock (_firstQueryTokens)
                {
                    return _firstQueryTokens.Count;
                }
            }
        }

        public List<long> FirstQueryTokens
        {
            get
            {
                lock (_firstQueryTokens)
                {
                    return [.. _firstQueryTokens];
                }
            }
        }

        public float[] Score(EncodedBatch batch)
        {
            var ids = batch.InputIds.Span;
            lock (_firstQueryTokens)
            {
                for (var row = 0; row < batch.Rows; row++)
                {
                    // Row layout: [CLS] query [SEP] passage [SEP].
                    _firstQueryTokens.Add(ids[row * batch.Width + 1]);
                }
            }

            Entered.Set();
            Release.Wait(LivenessBound);
            return new float[batch.Rows];
        }
    }
}
