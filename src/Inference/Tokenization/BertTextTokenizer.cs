using Microsoft.ML.Tokenizers;

namespace RerankCluster.Inference.Tokenization;

/// <summary>
/// The BERT WordPiece front of every model: single texts for bi-encoders, (query, passage) pairs
/// with token_type_ids for cross-encoders, truncation and dynamic padding.
/// </summary>
public sealed class BertTextTokenizer
{
    private const int SpecialTokensSingle = 2;
    private const int SpecialTokensPair = 3;
    private readonly BertTokenizer _tokenizer;

    public BertTextTokenizer(BertTokenizer tokenizer)
    {
        _tokenizer = tokenizer;
    }

    public int ClsId => _tokenizer.ClassificationTokenId;

    public int SepId => _tokenizer.SeparatorTokenId;

    public int PadId => _tokenizer.PaddingTokenId;

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

    /// <summary>Word-piece ids of a text, without [CLS]/[SEP].</summary>
    public int[] Tokenize(string text) =>
        _tokenizer.EncodeToIds(text, addSpecialTokens: false).ToArray();

    /// <summary>
    /// The start of a text that holds at most <paramref name="maxTokens"/> word pieces (Cohere's
    /// max_tokens_per_doc), cut after the last piece kept, in the tokenizer's normalised form (lower-cased
    /// for uncased models), which tokenises to the same ids. The library's own maxTokenCount keeps one
    /// piece fewer than asked, hence the offsets.
    /// </summary>
    public string Truncate(string text, int maxTokens)
    {
        var pieces = _tokenizer.EncodeToTokens(text, out var normalized);
        return pieces.Count <= maxTokens ? text : (normalized ?? text)[..pieces[maxTokens - 1].Offset.End];
    }

    /// <summary>The text's last <paramref name="maxTokens"/> tokens (normalised as the model reads it): truncation from the left.</summary>
    public string TruncateLeft(string text, int maxTokens)
    {
        var pieces = _tokenizer.EncodeToTokens(text, out var normalized);
        return pieces.Count <= maxTokens ? text : maxTokens <= 0 ? "" : (normalized ?? text)[pieces[pieces.Count - maxTokens].Offset.Start..];
    }

    /// <summary>
    /// A text cut into consecutive windows of at most <paramref name="windowTokens"/> word pieces, at most
    /// <paramref name="maxWindows"/> of them (the rest is dropped), in normalised form. A window ends where a
    /// word does, so that no word is split between two, unless one word alone fills a window.
    /// </summary>
    public IReadOnlyList<string> Windows(string text, int windowTokens, int maxWindows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowTokens, 1);
        var pieces = _tokenizer.EncodeToTokens(text, out var normalized);
        if (pieces.Count <= windowTokens)
        {
            return [text];
        }

        var source = normalized ?? text;
        var windows = new List<string>();
        for (var start = 0; start < pieces.Count && windows.Count < maxWindows;)
        {
            var end = Math.Min(start + windowTokens, pieces.Count);
            while (end < pieces.Count && end > start + 1 && pieces[end].Value.StartsWith("##", StringComparison.Ordinal))
            {
                end--;
            }

            windows.Add(source[pieces[start].Offset.Start..pieces[end - 1].Offset.End]);
            start = end;
        }

        return windows;
    }

    /// <summary>Ids of one text as the model sees it: [CLS] text [SEP], truncated to <paramref name="maxLength"/>.</summary>
    public int[] EncodeSingle(string text, int maxLength) => EncodeSingle(Tokenize(text), maxLength);

    public int[] EncodeSingle(int[] tokens, int maxLength)
    {
        var keep = Math.Min(tokens.Length, Math.Max(0, maxLength - SpecialTokensSingle));
        var ids = new int[keep + SpecialTokensSingle];
        ids[0] = ClsId;
        tokens.AsSpan(0, keep).CopyTo(ids.AsSpan(1));
        ids[^1] = SepId;
        return ids;
    }

    /// <summary>[CLS] query [SEP] passage [SEP] with token types 0…0 1…1, truncated longest-first.</summary>
    public (int[] Ids, int[] TypeIds) EncodePair(int[] query, int[] passage, int maxLength)
    {
        var (keepQuery, keepPassage) = PairTruncation.LongestFirst(query.Length, passage.Length, maxLength - SpecialTokensPair);
        var length = keepQuery + keepPassage + SpecialTokensPair;
        var ids = new int[length];
        var types = new int[length];
        ids[0] = ClsId;
        query.AsSpan(0, keepQuery).CopyTo(ids.AsSpan(1));
        ids[keepQuery + 1] = SepId;
        passage.AsSpan(0, keepPassage).CopyTo(ids.AsSpan(keepQuery + 2));
        ids[^1] = SepId;
        types.AsSpan(keepQuery + 2).Fill(1);
        return (ids, types);
    }

    public EncodedBatch EncodeSingles(IReadOnlyList<string> texts, int maxLength)
    {
        var sequences = new (int[], int[])[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            var ids = EncodeSingle(texts[i], maxLength);
            sequences[i] = (ids, new int[ids.Length]);
        }

        return EncodedBatch.Pad(sequences, PadId);
    }

    public EncodedBatch EncodePairs(string query, IReadOnlyList<string> passages, int maxLength)
    {
        var queryTokens = Tokenize(query);
        var sequences = new (int[], int[])[passages.Count];
        for (var i = 0; i < passages.Count; i++)
        {
            sequences[i] = EncodePair(queryTokens, Tokenize(passages[i]), maxLength);
        }

        return EncodedBatch.Pad(sequences, PadId);
    }
}
