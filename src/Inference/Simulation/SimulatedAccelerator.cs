using System.Diagnostics;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Inference.Simulation;

/// <summary>
/// One simulated device: a model call holds it for <c>CallOverhead + padded tokens ÷ tokens per second</c>
/// and costs no CPU while it waits, so several silo processes on a small machine behave like machines
/// with accelerators of their own. Calls queue for the device as they would for a GPU. The outputs are
/// deterministic functions of the token ids (lexical overlap, hashed bags of tokens): they rank
/// sensibly enough for load tests and mean nothing about relevance.
/// </summary>
public sealed class SimulatedAccelerator(double tokensPerSecond, TimeSpan callOverhead)
{
    private readonly SemaphoreSlim _device = new(1, 1);

    /// <summary>What a call over <paramref name="paddedTokens"/> occupies the device for.</summary>
    public TimeSpan CostOf(long paddedTokens) => callOverhead + TimeSpan.FromSeconds(paddedTokens / tokensPerSecond);

    /// <summary>One logit per row: the share of the query's tokens (segment 0) that the passage (segment 1) contains.</summary>
    public float[] Score(EncodedBatch batch)
    {
        Occupy(batch);
        var ids = batch.InputIds.Span;
        var types = batch.TokenTypeIds.Span;
        var mask = batch.AttentionMask.Span;
        var logits = new float[batch.Rows];
        for (var r = 0; r < batch.Rows; r++)
        {
            var query = new HashSet<long>();
            var passage = new HashSet<long>();
            for (var t = 0; t < batch.Width; t++)
            {
                var at = r * batch.Width + t;
                if (mask[at] != 0)
                {
                    (types[at] == 0 ? query : passage).Add(ids[at]);
                }
            }

            var shared = query.Count(passage.Contains);
            logits[r] = 8f * shared / Math.Max(1, query.Count) - 4f;
        }

        return logits;
    }

    /// <summary>One unit vector per row: the row's token ids hashed into <paramref name="dimension"/> buckets.</summary>
    public float[][] Embed(EncodedBatch batch, int dimension)
    {
        Occupy(batch);
        var ids = batch.InputIds.Span;
        var mask = batch.AttentionMask.Span;
        var vectors = new float[batch.Rows][];
        for (var r = 0; r < batch.Rows; r++)
        {
            var vector = new float[dimension];
            for (var t = 0; t < batch.Width; t++)
            {
                var at = r * batch.Width + t;
                if (mask[at] != 0)
                {
                    var hash = (ulong)ids[at] * 0x9E3779B97F4A7C15UL;
                    vector[(int)(hash % (ulong)dimension)] += (hash >> 63) == 0 ? 1f : -1f;
                }
            }

            VectorMath.Normalize(vector);
            vectors[r] = vector;
        }

        return vectors;
    }

    private void Occupy(EncodedBatch batch)
    {
        var cost = CostOf((long)batch.Rows * batch.Width);
        _device.Wait();
        try
        {
            // Sleeping, not spinning: the simulated device's time is not this machine's CPU time.
            var clock = Stopwatch.StartNew();
            // The remainder is read once: reading the clock twice could make it negative, which Sleep refuses.
            for (var left = cost; left > TimeSpan.Zero; left = cost - clock.Elapsed)
            {
                Thread.Sleep(left);
            }
        }
        finally
        {
            _device.Release();
        }
    }
}
