using Microsoft.ML.Tokenizers;

namespace RerankCluster.Inference.Tokenization;

/// <summary>
/// The text front of a model family: its sub-word tokenizer (a Microsoft.ML.Tokenizers one) and the
/// special-token layout its graphs were trained on. Every user of model input (encoders, batcher,
/// windows, truncation, pair lengths) goes through this class, so a family is added here alone:
/// <see cref="BertTextTokenizer"/> (WordPiece), <see cref="XlmRobertaTextTokenizer"/> (SentencePiece).
/// </summary>
public abstract class TextTokenizer(Tokenizer tokenizer)
{
    /// <summary>The padding id of this family's vocabulary.</summary>
    public abstract int PadId { get; }

    /// <summary>Special tokens around a single text (e.g. [CLS] text [SEP]).</summary>
    protected abstract int SpecialTokensSingle { get; }

    /// <summary>Special tokens around a pair (e.g. [CLS] query [SEP] passage [SEP]).</summary>
    protected abstract int SpecialTokensPair { get; }

    /// <summary>Sub-word ids of a text as the model's vocabulary numbers them, without special tokens.</summary>
    public abstract int[] Tokenize(string text);

    /// <summary>Ids of one text as the model sees it: with its special tokens, the text cut to fit <paramref name="maxLength"/>.</summary>
    public int[] EncodeSingle(string text, int maxLength) => EncodeSingle(Tokenize(text), maxLength);

    public int[] EncodeSingle(int[] tokens, int maxLength) =>
        Layout(tokens.AsSpan(0, Math.Min(tokens.Length, Math.Max(0, maxLength - SpecialTokensSingle))));

    /// <summary>A (query, passage) pair with this family's special tokens and token types, truncated longest-first.</summary>
    public (int[] Ids, int[] TypeIds) EncodePair(int[] query, int[] passage, int maxLength)
    {
        var (keepQuery, keepPassage) = PairTruncation.LongestFirst(query.Length, passage.Length, maxLength - SpecialTokensPair);
        return Layout(query.AsSpan(0, keepQuery), passage.AsSpan(0, keepPassage));
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

    /// <summary>
    /// The start of a text that holds at most <paramref name="maxTokens"/> sub-words (Cohere's
    /// max_tokens_per_doc), cut after the last piece kept, in the tokenizer's normalised form (lower-cased
    /// for uncased models), which tokenises to the same ids. The library's own maxTokenCount keeps one
    /// piece fewer than asked, hence the offsets.
    /// </summary>
    public string Truncate(string text, int maxTokens)
    {
        var pieces = tokenizer.EncodeToTokens(text, out var normalized);
        return pieces.Count <= maxTokens ? text : Text((normalized ?? text)[..pieces[maxTokens - 1].Offset.End]);
    }

    /// <summary>The text's last <paramref name="maxTokens"/> tokens (normalised as the model reads it): truncation from the left.</summary>
    public string TruncateLeft(string text, int maxTokens)
    {
        var pieces = tokenizer.EncodeToTokens(text, out var normalized);
        return pieces.Count <= maxTokens ? text : maxTokens <= 0 ? "" : Text((normalized ?? text)[pieces[pieces.Count - maxTokens].Offset.Start..]);
    }

    /// <summary>
    /// A text cut into consecutive windows of at most <paramref name="windowTokens"/> sub-words, at most
    /// <paramref name="maxWindows"/> of them (the rest is dropped), in normalised form. A window ends where a
    /// word does, so that no word is split between two, unless one word alone fills a window.
    /// </summary>
    public IReadOnlyList<string> Windows(string text, int windowTokens, int maxWindows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowTokens, 1);
        var pieces = tokenizer.EncodeToTokens(text, out var normalized);
        if (pieces.Count <= windowTokens)
        {
            return [text];
        }

        var source = normalized ?? text;
        var windows = new List<string>();
        for (var start = 0; start < pieces.Count && windows.Count < maxWindows;)
        {
            var end = Math.Min(start + windowTokens, pieces.Count);
            while (end < pieces.Count && end > start + 1 && ContinuesWord(pieces[end].Value))
            {
                end--;
            }

            windows.Add(Text(source[pieces[start].Offset.Start..pieces[end - 1].Offset.End]));
            start = end;
        }

        return windows;
    }

    /// <summary>Whether a piece continues the word before it rather than starting one.</summary>
    protected abstract bool ContinuesWord(string piece);

    /// <summary>A stretch of the normalised text as plain text that tokenises to the same pieces.</summary>
    protected virtual string Text(string normalized) => normalized;

    /// <summary>One text between its special tokens.</summary>
    protected abstract int[] Layout(ReadOnlySpan<int> tokens);

    /// <summary>A pair between its special tokens, with its token types.</summary>
    protected abstract (int[] Ids, int[] TypeIds) Layout(ReadOnlySpan<int> query, ReadOnlySpan<int> passage);
}
