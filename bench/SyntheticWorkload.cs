using RerankCluster.Inference.Tokenization;

namespace RerankCluster.Bench;

/// <summary>
/// Queries and passages of mixed lengths drawn from the model's own vocabulary with a fixed seed, so
/// every run and every machine reranks the same text.
/// </summary>
public sealed class SyntheticWorkload
{
    private SyntheticWorkload(IReadOnlyList<(string Query, string[] Passages)> queries, string[] pool, double meanPassageTokens)
    {
        Queries = queries;
        Pool = pool;
        MeanPassageTokens = meanPassageTokens;
    }

    public IReadOnlyList<(string Query, string[] Passages)> Queries { get; }

    /// <summary>Every distinct passage, for filling indexes.</summary>
    public string[] Pool { get; }

    public double MeanPassageTokens { get; }

    public static SyntheticWorkload Create(string vocabularyPath, TextTokenizer tokenizer, int queries, int candidates, int seed = 42)
    {
        var words = File.ReadLines(vocabularyPath)
            .Select(w => w.Trim())
            .Where(w => w.Length >= 3 && w.All(char.IsAsciiLetterLower))
            .ToArray();
        var random = new Random(seed);
        string Text(int minWords, int maxWords) =>
            string.Join(' ', Enumerable.Range(0, random.Next(minWords, maxWords + 1)).Select(_ => words[random.Next(words.Length)]));

        // 15–230 words is about 20–300 word pieces with this vocabulary.
        var pool = Enumerable.Range(0, queries * candidates).Select(_ => Text(15, 230)).ToArray();
        var list = Enumerable.Range(0, queries)
            .Select(q => (Text(4, 16), pool.Skip(q * candidates).Take(candidates).ToArray()))
            .ToList();
        var mean = pool.Take(200).Average(p => tokenizer.Tokenize(p).Length);
        return new SyntheticWorkload(list, pool, mean);
    }
}
