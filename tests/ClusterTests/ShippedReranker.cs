using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;
using RerankCluster.Inference.Models;

namespace RerankCluster.ClusterTests;

/// <summary>
/// What the served default cross-encoder must be, known without the product's serving path: the name on the
/// shipped model's card (models/minilm-l6-debian-reranker) and logits from ONNX Runtime run directly on that
/// model's graph, one unpadded pair at a time, with the pair ([CLS] query [SEP] passage [SEP], segments 0 then 1)
/// built here. Nothing of CrossEncoder, its tokenizer wrapper, batching or session options is used, so a fault
/// there shows up as a difference. The graph itself is checked against the trainer's logits by a unit test.
/// </summary>
public static class ShippedReranker
{
    public const string Name = "rerankcluster/minilm-l6-debian-reranker";

    private static readonly Lazy<(InferenceSession Session, BertTokenizer Tokenizer)> Model = new(() =>
    {
        var files = TrainedCrossEncoder.Ensure(new ModelStoreOptions().ResolveCacheDirectory());
        var tokenizer = BertTokenizer.Create(Path.Combine(files.Directory, "vocab.txt"), new BertOptions { LowerCaseBeforeTokenization = true });
        return (new InferenceSession(files.OnnxPath), tokenizer);
    });

    /// <param name="maxPassageTokens">Keep only the passage's first word pieces (Cohere's max_tokens_per_doc).</param>
    public static float[] Logits(string query, IEnumerable<string> passages, int? maxPassageTokens = null) =>
        passages.Select(passage => Logit(query, passage, maxPassageTokens)).ToArray();

    private static float Logit(string query, string passage, int? maxPassageTokens)
    {
        var (session, tokenizer) = Model.Value;
        var queryIds = tokenizer.EncodeToIds(query, addSpecialTokens: false);
        var passageIds = tokenizer.EncodeToIds(passage, addSpecialTokens: false).Take(maxPassageTokens ?? int.MaxValue).ToArray();
        long[] ids = [tokenizer.ClassificationTokenId, .. queryIds, tokenizer.SeparatorTokenId, .. passageIds, tokenizer.SeparatorTokenId];
        long[] segments = [.. Enumerable.Repeat(0L, queryIds.Count + 2), .. Enumerable.Repeat(1L, passageIds.Length + 1)];
        var inputs = new Dictionary<string, long[]>
        {
            ["input_ids"] = ids,
            ["attention_mask"] = [.. Enumerable.Repeat(1L, ids.Length)],
            ["token_type_ids"] = segments,
        };
        using var results = session.Run(session.InputMetadata.Keys
            .Select(name => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(inputs[name], [1, ids.Length])))
            .ToList());
        return results.Single(r => r.Name == "logits").AsTensor<float>().Single();
    }
}
