using System.Collections.Concurrent;
using RerankCluster.Inference.Batching;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.UnitTests;

[Collection(ModelCollection.Name)]
public sealed class CrossEncoderBatcherTests(ModelFixture models)
{
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

        var results = await Task.WhenAll(requests.Select(r => Task.Run(() => batcher.Score(r.Query, r.Passages, 512))));

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

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.Score("q", ["a", "b"], 128));
        Assert.Equal("model exploded", error.Message);
        var after = await batcher.Score("q", ["a", "b"], 128);
        Assert.Equal(2, after.Logits.Length);
        Assert.Empty((await batcher.Score("q", [], 128)).Logits);
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
}
