using Microsoft.ML.Tokenizers;

namespace RerankCluster.Inference.Tokenization;

/// <summary>
/// The BERT family (WordPiece, vocab.txt): [CLS] text [SEP] for bi-encoders, [CLS] query [SEP] passage
/// [SEP] with token types 0…0 1…1 for cross-encoders.
/// </summary>
public sealed class BertTextTokenizer(BertTokenizer tokenizer) : TextTokenizer(tokenizer)
{
    private readonly BertTokenizer _wordPiece = tokenizer;

    public int ClsId => _wordPiece.ClassificationTokenId;

    public int SepId => _wordPiece.SeparatorTokenId;

    public override int PadId => _wordPiece.PaddingTokenId;

    protected override int SpecialTokensSingle => 2;

    protected override int SpecialTokensPair => 3;

    /// <param name="stripAccents">As in Hugging Face, unset means "strip when lower-casing".</param>
    public static BertTextTokenizer FromVocabulary(Stream vocabulary, bool lowerCase = true, bool? stripAccents = null)
    {
        var options = new BertOptions
        {
            LowerCaseBeforeTokenization = lowerCase,
            RemoveNonSpacingMarks = stripAccents ?? lowerCase,
        };
        return new BertTextTokenizer(BertTokenizer.Create(vocabulary, options));
    }

    public static BertTextTokenizer FromVocabularyFile(string path, bool lowerCase = true, bool? stripAccents = null)
    {
        using var stream = File.OpenRead(path);
        return FromVocabulary(stream, lowerCase, stripAccents);
    }

    public override int[] Tokenize(string text) => _wordPiece.EncodeToIds(text, addSpecialTokens: false).ToArray();

    protected override bool ContinuesWord(string piece) => piece.StartsWith("##", StringComparison.Ordinal);

    protected override int[] Layout(ReadOnlySpan<int> tokens) => [ClsId, .. tokens, SepId];

    protected override (int[] Ids, int[] TypeIds) Layout(ReadOnlySpan<int> query, ReadOnlySpan<int> passage)
    {
        int[] ids = [ClsId, .. query, SepId, .. passage, SepId];
        var types = new int[ids.Length];
        types.AsSpan(query.Length + 2).Fill(1);
        return (ids, types);
    }
}
