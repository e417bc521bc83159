using System.Diagnostics;
using Microsoft.Extensions.Options;
using RerankCluster.Grains.Caching;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;
using RerankCluster.Grains.Options;
using RerankCluster.Inference;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// Scores (query, passage) pairs on the cluster: the pairs are split over the rerank silos so that the parts
/// finish together (<see cref="SiloLoadBoard.Split"/>), each silo's batcher scores its part in model calls of
/// its own; a part whose silo fails or stalls goes to the next best (<see cref="MicroBatchFailover"/>);
/// logits come back in passage order.
/// Rerank:Timeout, or the caller's cancellation, cancels every batch still queued.
/// </summary>
public sealed class CrossEncoderScatter(
    ModelCatalog models,
    RerankSiloDirectory silos,
    SiloCooldown cooldown,
    SiloLoadBoard load,
    IGrainFactory grains,
    InferenceCache cache,
    IOptions<RerankOptions> options)
{
    /// <summary>
    /// Refuses at once, before any work, a tenant holding more than its share of the pairs in flight from
    /// here while every rerank silo is past Batching:MaxQueueDelay (<see cref="SiloLoadBoard.Admit"/>).
    /// </summary>
    /// <exception cref="OverloadedException">Refused.</exception>
    public void Admit(string tenant) => load.Admit(tenant, silos.ActiveSilos());

    /// <param name="tenant">Whose request this is, for fair queueing on the rerank silos.</param>
    /// <param name="model">A served cross-encoder's name; null for the default.</param>
    /// <param name="passageTokens">Token counts already known (from ingestion); tokenised here when null.</param>
    /// <exception cref="TimeoutException">Past Rerank:Timeout.</exception>
    /// <exception cref="RerankFailedException">No active silo reranks.</exception>
    /// <exception cref="OverloadedException">Every rerank silo refused a batch at admission.</exception>
    public async Task<(float[] Logits, RerankTimings Timings, CrossEncoder Model)> Score(string tenant, string query, IReadOnlyList<string> passages,
        string? model, IReadOnlyList<int>? passageTokens = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var name = models.CrossEncoderName(model);
        var crossEncoder = (await models.CrossEncoder(name)).Encoder;
        var tokenizer = crossEncoder.Tokenizer;
        var (logits, keys) = cache.Scores(name, query, passages);
        // Only pairs the cache does not know go to the model.
        var missing = Enumerable.Range(0, passages.Count).Where(i => float.IsNaN(logits[i])).ToArray();
        var queryTokens = tokenizer.Tokenize(query).Length;
        // Every pair's length, cached or not: usage counts the tokens a request was scored over, whoever answered.
        var pairLengths = Enumerable.Range(0, passages.Count)
            .Select(i => Math.Min(crossEncoder.MaxLength, queryTokens + (passageTokens?[i] ?? tokenizer.Tokenize(passages[i]).Length) + 3))
            .ToArray();
        var lengths = missing.Select(i => pairLengths[i]).ToArray();
        IReadOnlyList<string> targets = missing.Length == 0 ? [] : silos.ActiveSilos();
        if (missing.Length > 0 && targets.Count == 0)
        {
            throw new RerankFailedException(
                "No active silo reranks (Orleans:Metadata:role rerank or all), so the candidates cannot be scored. Start a rerank silo, or retry once one has joined.");
        }

        var requestId = Guid.NewGuid().ToString("N");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.Timeout);
        MicroBatchReranker.Outcome outcome;
        try
        {
            var parts = load.Split(targets, lengths);
            outcome = await MicroBatchReranker.Rerank(query, missing.Select(i => passages[i]).ToArray(), lengths, parts.Select(p => p.Pairs).ToArray(),
                (n, batch, tokens, token) => MicroBatchFailover.Send(batch with { Model = name, Tenant = tenant, RequestId = requestId },
                    [parts[n].Silo, .. load.Order(targets, tokens).Where(silo => silo != parts[n].Silo)],
                    load.StallTimeout(parts[n].Silo, tokens, options.Value.BatchAttemptTimeout), cooldown,
                    (silo, attempt, t) => load.Track(silo, tenant, tokens, () => grains.GetGrain<IRerankSiloGrain>(silo).Score(attempt, t)), token),
                deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Reranking took longer than Rerank:Timeout ({options.Value.Timeout}).");
        }
        for (var j = 0; j < missing.Length; j++)
        {
            logits[missing[j]] = outcome.Logits[j];
            cache.StoreScore(keys[missing[j]], outcome.Logits[j]);
        }

        var total = clock.Elapsed.TotalMilliseconds;
        var slowest = outcome.Batches.Length == 0 ? 0 : outcome.Batches.Max(b => b.TokenizeMs + b.InferenceMs);
        var timings = new RerankTimings(
            QueueMs: Math.Max(0, total - slowest),
            TokenizeMs: outcome.Batches.Sum(b => b.TokenizeMs),
            InferenceMs: outcome.Batches.Length == 0 ? 0 : outcome.Batches.Max(b => b.InferenceMs),
            TotalMs: total,
            Batches: outcome.Batches.Length,
            PaddedTokens: outcome.Batches.Sum(b => b.PaddedTokens),
            Tokens: pairLengths.Sum(l => (long)l),
            Silos: outcome.Batches.Select(b => b.Silo).Distinct().Order(StringComparer.Ordinal).ToArray());
        return (logits, timings, crossEncoder);
    }
}
