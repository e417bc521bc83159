using System.Text.RegularExpressions;

namespace RerankCluster.Retrieval;

/// <summary>One window of a document: a verbatim slice of its text and the tokens it holds.</summary>
public sealed record TextChunk(int Index, string Text, int TokenCount);

/// <summary>
/// Splits long texts into token windows that overlap, cutting only between words, so that no part
/// of a document is silently truncated by the encoder's maximum length. Windows are counted in the
/// encoder's own tokens, through <c>countTokens</c>, so any tokenizer family can drive it.
/// </summary>
public sealed partial class TextChunker
{
    private readonly Func<string, int> _countTokens;

    /// <param name="countTokens">How many tokens the encoder makes of a text, without special tokens.</param>
    public TextChunker(Func<string, int> countTokens, int windowTokens, int overlapTokens)
    {
        if (windowTokens < 8)
        {
            throw new ArgumentOutOfRangeException(nameof(windowTokens), "A chunk window holds at least 8 tokens.");
        }

        if (overlapTokens < 0 || overlapTokens >= windowTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(overlapTokens), "The overlap must be at least 0 and smaller than the window.");
        }

        _countTokens = countTokens;
        WindowTokens = windowTokens;
        OverlapTokens = overlapTokens;
    }

    public int WindowTokens { get; }

    public int OverlapTokens { get; }

    public IReadOnlyList<TextChunk> Split(string text)
    {
        var words = Words(text);
        var total = words.Sum(w => w.Tokens);
        if (total <= WindowTokens)
        {
            return [new TextChunk(0, text.Trim(), total)];
        }

        var chunks = new List<TextChunk>();
        var start = 0;
        while (start < words.Count)
        {
            var end = start;
            var tokens = 0;
            while (end < words.Count && (end == start || tokens + words[end].Tokens <= WindowTokens))
            {
                tokens += words[end].Tokens;
                end++;
            }

            var slice = text[words[start].Start..(words[end - 1].Start + words[end - 1].Length)];
            chunks.Add(new TextChunk(chunks.Count, slice, tokens));
            if (end == words.Count)
            {
                break;
            }

            // The next window starts far enough back to repeat at most OverlapTokens tokens.
            var next = end;
            var overlap = 0;
            while (next - 1 > start && overlap + words[next - 1].Tokens <= OverlapTokens)
            {
                next--;
                overlap += words[next].Tokens;
            }

            start = next;
        }

        return chunks;
    }

    private List<Word> Words(string text)
    {
        var words = new List<Word>();
        foreach (Match match in WhitespaceSeparated().Matches(text))
        {
            AddWord(words, text, match.Index, match.Length);
        }

        return words;
    }

    /// <summary>A "word" longer than a whole window (a URL, base64) is halved until each piece fits.</summary>
    private void AddWord(List<Word> words, string text, int start, int length)
    {
        var tokens = _countTokens(text.Substring(start, length));
        if (tokens <= WindowTokens || length == 1)
        {
            words.Add(new Word(start, length, tokens));
            return;
        }

        var half = length / 2;
        if (char.IsHighSurrogate(text[start + half - 1]))
        {
            half++;
        }

        AddWord(words, text, start, half);
        AddWord(words, text, start + half, length - half);
    }

    private readonly record struct Word(int Start, int Length, int Tokens);

    [GeneratedRegex(@"\S+")]
    private static partial Regex WhitespaceSeparated();
}
