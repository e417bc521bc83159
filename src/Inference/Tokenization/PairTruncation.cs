namespace RerankCluster.Inference.Tokenization;

/// <summary>
/// Longest-first truncation of a (query, passage) pair, with the same arithmetic as Hugging Face's
/// fast tokenizers so that our ids match what the models were trained and evaluated on.
/// </summary>
public static class PairTruncation
{
    /// <summary>Returns how many tokens of each side to keep so that both fit in <paramref name="budget"/>.</summary>
    public static (int First, int Second) LongestFirst(int firstLength, int secondLength, int budget)
    {
        if (budget < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(budget), "The maximum length leaves no room for the special tokens.");
        }

        if (firstLength + secondLength <= budget)
        {
            return (firstLength, secondLength);
        }

        var swap = firstLength > secondLength;
        var (shorter, longer) = swap ? (secondLength, firstLength) : (firstLength, secondLength);
        int keepShorter, keepLonger;
        if (shorter > budget)
        {
            keepShorter = budget / 2;
            keepLonger = keepShorter + budget % 2;
        }
        else
        {
            keepShorter = shorter;
            keepLonger = Math.Max(shorter, budget - shorter);
            if (keepShorter + keepLonger > budget)
            {
                keepShorter = budget / 2;
                keepLonger = keepShorter + budget % 2;
            }
        }

        keepLonger = Math.Min(keepLonger, longer);
        return swap ? (keepLonger, keepShorter) : (keepShorter, keepLonger);
    }
}
