using System.Diagnostics;
using Orleans.Concurrency;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Inference;

namespace RerankCluster.Grains.Reranking;

[StatelessWorker]
public sealed class CrossEncoderWorkerGrain(CrossEncoder encoder, ILocalSiloDetails silo) : Grain, ICrossEncoderWorkerGrain
{
    public Task<RerankBatchResult> Score(RerankBatch batch)
    {
        var clock = Stopwatch.StartNew();
        var encoded = encoder.Tokenizer.EncodePairs(batch.Query, batch.Passages, encoder.MaxLength);
        var tokenizeMs = clock.Elapsed.TotalMilliseconds;
        var logits = batch.Passages.Length == 0 ? [] : encoder.Score(encoded);
        var inferenceMs = clock.Elapsed.TotalMilliseconds - tokenizeMs;
        return Task.FromResult(new RerankBatchResult(logits, silo.SiloAddress.ToParsableString(), tokenizeMs, inferenceMs, encoded.PaddedTokens, encoded.RealTokens));
    }
}
