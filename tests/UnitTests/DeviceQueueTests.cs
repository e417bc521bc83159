using RerankCluster.Inference;
using RerankCluster.Inference.Batching;
using RerankCluster.Inference.Simulation;

namespace RerankCluster.UnitTests;

[Collection(ModelCollection.Name)]
public sealed class DeviceQueueTests(ModelFixture models)
{
    [Fact]
    public async Task A_waiting_interactive_call_takes_the_device_before_bulk_calls_that_queued_earlier()
    {
        var device = new DeviceQueue();
        var running = await device.EnterAsync(DeviceWork.Bulk);
        var order = new List<string>();
        var waiters = new[] { ("bulk-1", DeviceWork.Bulk), ("bulk-2", DeviceWork.Bulk), ("query-1", DeviceWork.Interactive), ("query-2", DeviceWork.Interactive) }
            .Select(w => Take(device, w.Item1, w.Item2, order))
            .ToArray();
        Assert.Equal(4, device.Waiting);

        running.Dispose();
        await Task.WhenAll(waiters);

        Assert.Equal(["query-1", "query-2", "bulk-1", "bulk-2"], order);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_the_device_passes_to_the_next()
    {
        var device = new DeviceQueue();
        var running = await device.EnterAsync(DeviceWork.Bulk);
        using var cancel = new CancellationTokenSource();
        var abandoned = device.EnterAsync(DeviceWork.Interactive, cancel.Token);
        var next = device.EnterAsync(DeviceWork.Bulk);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.Equal(1, device.Waiting);
        running.Dispose();

        (await next).Dispose();
        Assert.Equal(0, device.Waiting);
        // Free again: the next caller gets it at once.
        Assert.True(device.EnterAsync(DeviceWork.Bulk).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_query_embedding_does_not_wait_for_a_long_ingestion_batch_that_started_before_it()
    {
        // 2,000 simulated tokens/s: 32 texts in one call would hold the device for about 0.2 s.
        var device = new SimulatedAccelerator(2_000, TimeSpan.Zero);
        var encoder = new BiEncoder(models.BiEncoder.Model, device, dimension: 32, batchSize: 32, maxBulkCallTime: TimeSpan.FromMilliseconds(10));
        var texts = Enumerable.Range(0, 32).Select(i => $"chunk {i} of a document being ingested").ToArray();
        // Two calls measure the device's speed (the first is a warm-up the meter ignores).
        await encoder.EmbedAsync(texts[..2], DeviceWork.Bulk);
        await encoder.EmbedAsync(texts[..2], DeviceWork.Bulk);

        var ingestion = encoder.EmbedAsync(texts, DeviceWork.Bulk);
        await Task.Delay(50);
        var query = encoder.EmbedAsync(["a search arriving meanwhile"], DeviceWork.Interactive);
        var first = await Task.WhenAny(ingestion, query);

        Assert.Same(query, first);
        Assert.Equal(32, (await ingestion).Length);
    }

    private static async Task Take(DeviceQueue device, string name, DeviceWork work, List<string> order)
    {
        using var lease = await device.EnterAsync(work);
        order.Add(name);
    }
}
