namespace RerankCluster.Inference.Batching;

/// <summary>
/// Cuts (query, passage) pairs into micro-batches for the cross-encoder. Pairs are ordered by length
/// so each batch pads to a similar width, batches are evened out in rows so they finish together when
/// run in parallel, a batch's padded size (rows × longest) stays within the token budget, and
/// optionally no row is padded by more than a given fraction.
/// </summary>
public static class MicroBatchPlanner
{
    /// <param name="pairLengths">Token length of each pair after truncation, special tokens included.</param>
    /// <param name="maxPaddingFraction">
    /// A pair joins a batch only if padding it to the batch's width wastes at most this fraction of
    /// the row (1 = no such limit). On CPUs a few more, narrower batches beat padding.
    /// </param>
    /// <returns>Batches of indices into <paramref name="pairLengths"/>; every index appears exactly once.</returns>
    public static IReadOnlyList<int[]> Plan(IReadOnlyList<int> pairLengths, int maxPairsPerBatch, long tokenBudget, double maxPaddingFraction = 1)
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
            if (current.Count > 0 && (current.Count >= evenRows || (long)(current.Count + 1) * candidateWidth > tokenBudget ||
                                      pairLengths[index] < candidateWidth * (1 - maxPaddingFraction)))
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
