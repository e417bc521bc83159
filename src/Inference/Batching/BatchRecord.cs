namespace RerankCluster.Inference.Batching;

/// <summary>What one model call of the batcher held: for metrics, and for replaying the exact batches in benchmarks (the batch is only valid during the event).</summary>
public sealed record BatchRecord(int Rows, int Width, long RealTokens, int Requests, double InferenceMs, Tokenization.EncodedBatch Batch)
{
    public long PaddedTokens => (long)Rows * Width;
}
