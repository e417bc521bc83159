using Microsoft.ML.Tokenizers;

namespace RerankCluster.Inference.Tokenization;

/// <summary>
/// The XLM-RoBERTa family (SentencePiece, <c>sentencepiece.bpe.model</c>), that of multilingual rerankers
/// such as bge-reranker-v2-m3: &lt;s&gt; text &lt;/s&gt;, and &lt;s&gt; query &lt;/s&gt;&lt;/s&gt; passage &lt;/s&gt;
/// with no token types. Ids are numbered as Hugging Face's XLMRobertaTokenizer numbers them (fairseq's
/// dictionary): &lt;s&gt; 0, &lt;pad&gt; 1, &lt;/s&gt; 2, &lt;unk&gt; 3, and every other piece its SentencePiece id + 1.
/// </summary>
public sealed class XlmRobertaTextTokenizer(SentencePieceTokenizer tokenizer) : TextTokenizer(tokenizer)
{
    public const string ModelFile = "sentencepiece.bpe.model";
    private const int StartId = 0;
    private const int EndId = 2;
    private const int UnknownId = 3;
    private const int FairseqOffset = 1;
    private const char WordStart = '\u2581';
    private readonly SentencePieceTokenizer _sentencePiece = tokenizer;

    public override int PadId => 1;

    protected override int SpecialTokensSingle => 2;

    protected override int SpecialTokensPair => 4;

    public static XlmRobertaTextTokenizer FromModelFile(string path)
    {
        using var stream = File.OpenRead(path);
        return new XlmRobertaTextTokenizer(SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false));
    }

    public override int[] Tokenize(string text)
    {
        var ids = _sentencePiece.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false);
        var result = new List<int>(ids.Count);
        foreach (var id in ids)
        {
            // SentencePiece itself (and so the model's training) reads a run of unknown characters as one <unk>.
            if (id == _sentencePiece.UnknownId)
            {
                if (result.Count == 0 || result[^1] != UnknownId)
                {
                    result.Add(UnknownId);
                }

                continue;
            }

            result.Add(id + FairseqOffset);
        }

        return [.. result];
    }

    protected override bool ContinuesWord(string piece) => !piece.StartsWith(WordStart);

    /// <summary>The normalised text marks spaces (and the start) with ▁; as plain text it tokenises to the same pieces.</summary>
    protected override string Text(string normalized) => normalized.Replace(WordStart, ' ').TrimStart(' ');

    protected override int[] Layout(ReadOnlySpan<int> tokens) => [StartId, .. tokens, EndId];

    protected override (int[] Ids, int[] TypeIds) Layout(ReadOnlySpan<int> query, ReadOnlySpan<int> passage)
    {
        int[] ids = [StartId, .. query, EndId, EndId, .. passage, EndId];
        return (ids, new int[ids.Length]);
    }
}
