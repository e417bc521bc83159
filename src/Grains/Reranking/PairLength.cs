using RerankCluster.Grains.Interfaces;
using RerankCluster.Inference;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// What a rerank does with a (query, document) pair longer than the model reads, beyond the default
/// (the pair is cut longest-first when it is encoded): refuse it, or cut the document from the left.
/// </summary>
public static class PairLength
{
    /// <exception cref="InputTooLongException"><paramref name="truncate"/> is false and a pair is too long.</exception>
    public static string[] Fit(CrossEncoder encoder, string query, string[] documents, bool truncate, bool fromLeft)
    {
        // [CLS] query [SEP] document [SEP]
        var room = encoder.MaxLength - encoder.Tokenizer.Tokenize(query).Length - 3;
        var fitted = new string[documents.Length];
        for (var i = 0; i < documents.Length; i++)
        {
            var tokens = encoder.Tokenizer.Tokenize(documents[i]).Length;
            if (tokens <= room)
            {
                fitted[i] = documents[i];
            }
            else if (!truncate)
            {
                throw new InputTooLongException(
                    $"documents[{i}] with the query is {tokens + encoder.MaxLength - room} tokens; the model reads at most {encoder.MaxLength} " +
                    "and truncate is false.");
            }
            else
            {
                // From the right, encoding the pair cuts it already.
                fitted[i] = fromLeft ? encoder.Tokenizer.TruncateLeft(documents[i], Math.Max(0, room)) : documents[i];
            }
        }

        return fitted;
    }
}
