using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// Scores a query's candidates in parts (a plan of pair indices, e.g. one per silo from
/// <see cref="SiloLoadBoard.Split"/>) sent in parallel through <c>dispatch</c>, then puts every logit back
/// at its candidate's position. The first batch that fails cancels the others (the
/// query has failed; their pairs are not worth scoring) and its error is the one thrown.
/// Independent of Orleans so it is tested on its own.
/// </summary>
public static class MicroBatchReranker
{
    public sealed record Outcome(float[] Logits, RerankBatchResult[] Batches);

    /// <param name="plan">The parts: indices into <paramref name="passages"/>, each exactly once over all parts.</param>
    /// <param name="dispatch">Sends part number n, of the given pair tokens; the caller decides where it runs.</param>
    public static async Task<Outcome> Rerank(string query, IReadOnlyList<string> passages, IReadOnlyList<int> pairLengths,
        IReadOnlyList<int[]> plan, Func<int, RerankBatch, long, CancellationToken, Task<RerankBatchResult>> dispatch,
        CancellationToken cancellationToken = default)
    {
        if (passages.Count != pairLengths.Count)
        {
            throw new ArgumentException("Every passage needs its pair length.", nameof(pairLengths));
        }

        using var siblings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? firstFailure = null;
        async Task<RerankBatchResult> Send(int n, RerankBatch batch, long tokens)
        {
            try
            {
                return await dispatch(n, batch, tokens, siblings.Token);
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref firstFailure, error, null);
                await siblings.CancelAsync();
                throw;
            }
        }

        RerankBatchResult[] results;
        try
        {
            results = await Task.WhenAll(plan.Select((indices, n) =>
                Send(n, new RerankBatch(query, indices.Select(i => passages[i]).ToArray()), indices.Sum(i => (long)pairLengths[i]))));
        }
        catch when (firstFailure is not null)
        {
            // Task.WhenAll throws the first batch's error in plan order, which may be a sibling's cancellation.
            throw firstFailure;
        }

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
