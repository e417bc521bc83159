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
}
