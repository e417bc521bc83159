namespace RerankCluster.Inference.Batching;

/// <summary>
/// Cuts a query's (query, candidate) pairs into micro-batches for the cross-encoder. Pairs are
/// ordered by length so each batch pads to a similar width, batches are evened out in rows so they
/// finish together when run in parallel, and a batch's padded size (rows × longest) stays within
/// the token budget.
/// </summary>
public static class MicroBatchPlanner
{
    /// <param name="pairLengths">Token length of each pair after truncation, special tokens included.</param>
    /// <returns>Batches of indices into <paramref name="pairLengths"/>; every index appears exactly once.</returns>
    public static IReadOnlyList<int[]> Plan(IReadOnlyList<int> pairLengths, int maxPairsPerBatch, long tokenBudget)
    {
        if (maxPairsPerBatch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPairsPerBatch), "A batch holds at least one pair.");
        }

        if (tokenBudget < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(tokenBudget), "The token budget must be positive.");
        }

        var count = pairLengths.Count;
        if (count == 0)
        {
            return [];
        }

        var batchesByRows = (count + maxPairsPerBatch - 1) / maxPairsPerBatch;
        var evenRows = (count + batchesByRows - 1) / batchesByRows;
        var order = Enumerable.Range(0, count).OrderByDescending(i => pairLengths[i]).ThenBy(i => i).ToArray();
        var batches = new List<int[]>();
        var current = new List<int>();
        var width = 0;
        foreach (var index in order)
        {
            // Sorted longest first: the first pair of a batch sets its padded width.
            var candidateWidth = current.Count == 0 ? pairLengths[index] : width;
            if (current.Count > 0 && (current.Count >= evenRows || (long)(current.Count + 1) * candidateWidth > tokenBudget))
            {
                batches.Add(current.ToArray());
                current.Clear();
                candidateWidth = pairLengths[index];
            }

            width = candidateWidth;
            current.Add(index);
        }

        batches.Add(current.ToArray());
        return batches;
    }
}
