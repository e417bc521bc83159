using RerankCluster.Grains.Interfaces;
using RerankCluster.Inference.Batching;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// Scores a query's candidates in micro-batches sent in parallel through <c>dispatch</c>, then puts
/// every logit back at its candidate's position. Independent of Orleans so it is tested on its own.
/// </summary>
public static class MicroBatchReranker
{
    public sealed record Outcome(float[] Logits, RerankBatchResult[] Batches);

    /// <param name="dispatch">Sends batch number n; the caller decides where it runs.</param>
    public static async Task<Outcome> Rerank(string query, IReadOnlyList<string> passages, IReadOnlyList<int> pairLengths,
        int maxPairsPerBatch, long maxBatchTokens, Func<int, RerankBatch, Task<RerankBatchResult>> dispatch)
    {
        if (passages.Count != pairLengths.Count)
        {
            throw new ArgumentException("Every passage needs its pair length.", nameof(pairLengths));
        }

        var plan = MicroBatchPlanner.Plan(pairLengths, maxPairsPerBatch, maxBatchTokens);
        var results = await Task.WhenAll(plan.Select((indices, n) =>
            dispatch(n, new RerankBatch(query, indices.Select(i => passages[i]).ToArray()))));

        var logits = new float[passages.Count];
        var seen = new bool[passages.Count];
        for (var n = 0; n < plan.Count; n++)
        {
            if (results[n].Logits.Length != plan[n].Length)
            {
                throw new InvalidOperationException(
                    $"Micro-batch {n} returned {results[n].Logits.Length} scores for {plan[n].Length} pairs.");
            }

            for (var j = 0; j < plan[n].Length; j++)
            {
                var index = plan[n][j];
                logits[index] = results[n].Logits[j];
                seen[index] = true;
            }
        }

        if (seen.Contains(false))
        {
            throw new InvalidOperationException("A candidate was left out of every micro-batch.");
        }

        return new Outcome(logits, results);
    }
}
