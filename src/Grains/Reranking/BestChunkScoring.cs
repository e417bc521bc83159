using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// Long documents scored the way Cohere v1 (max_chunks_per_doc) and Elasticsearch's chunked reranking do:
/// a document longer than one pair's room is cut into windows that each fit beside the query, every window
/// is scored, and the document takes its best window's logit (instead of being judged by its start alone).
/// </summary>
public static class BestChunkScoring
{
    public sealed record Windows(string[] Texts, int[] Owners);

    /// <summary>The windows of every document, in document order, with the document each belongs to.</summary>
    public static Windows Split(TextTokenizer tokenizer, string query, IReadOnlyList<string> documents, int maxLength, int maxChunks)
    {
        // [CLS] query [SEP] window [SEP]; a query longer than half the room is cut to half by longest-first truncation.
        var room = maxLength - 3 - Math.Min(tokenizer.Tokenize(query).Length, (maxLength - 3) / 2);
        var texts = new List<string>();
        var owners = new List<int>();
        for (var document = 0; document < documents.Count; document++)
        {
            foreach (var window in tokenizer.Windows(documents[document], room, maxChunks))
            {
                texts.Add(window);
                owners.Add(document);
            }
        }

        return new Windows(texts.ToArray(), owners.ToArray());
    }

    /// <summary>Each document's best window logit.</summary>
    public static float[] Best(float[] windowLogits, int[] owners, int documents)
    {
        var best = Enumerable.Repeat(float.NegativeInfinity, documents).ToArray();
        for (var i = 0; i < windowLogits.Length; i++)
        {
            best[owners[i]] = Math.Max(best[owners[i]], windowLogits[i]);
        }

        return best;
    }
}
