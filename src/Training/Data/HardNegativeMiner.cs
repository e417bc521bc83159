using System.Numerics.Tensors;
using RerankCluster.Inference;
using RerankCluster.Retrieval;

namespace RerankCluster.Training.Data;

public sealed record TrainingGroup(TrainingPair Pair, IReadOnlyList<string> Negatives);

/// <summary>
/// Negatives for each (query, positive) pair, of every length, so that length is never evidence of
/// relevance. Hard ones come from the project's own stage 1: each query is searched with the bi-encoder
/// over the passage pool, and negatives are drawn (seeded) from its top <see cref="Settings.Depth"/> hits,
/// leaving out the positive, near-duplicates of it, and passages that are a positive of the same query
/// text. Random ones are any other passage of the pool (what in-batch negatives would give, drawn here so
/// every group has them). Long ones are at least <see cref="Settings.LongWords"/> words of text that does
/// not answer: alternately real passages of the pool run together, and one sentence repeated (filler, the
/// cheapest way to look long and relevant-ish).
/// </summary>
public sealed class HardNegativeMiner
{
    public sealed record Settings(int Negatives = 7, int Depth = 30, float NearDuplicateCosine = 0.97f, int Seed = 13,
        int RandomNegatives = 0, int LongNegatives = 0, int LongWords = 250);

    private readonly BiEncoder _encoder;
    private readonly Settings _settings;

    public HardNegativeMiner(BiEncoder encoder, Settings settings)
    {
        if (settings.Negatives < 1 || settings.Depth < settings.Negatives)
        {
            throw new ArgumentException($"Need at least one negative and a depth (--negative-depth {settings.Depth}) at least the number of negatives ({settings.Negatives}).");
        }

        if (settings.RandomNegatives < 0 || settings.LongNegatives < 0 || settings.LongWords < 1)
        {
            throw new ArgumentException("--random-negatives and --long-negatives must be at least 0, and the long negatives' length at least one word.");
        }

        _encoder = encoder;
        _settings = settings;
    }

    public IReadOnlyList<TrainingGroup> Mine(IReadOnlyList<TrainingPair> pairs, IReadOnlyDictionary<string, string> passages,
        IProgress<(string Stage, int Done, int Total)>? progress = null)
    {
        var ids = passages.Keys.ToArray();
        var rows = ids.Select((id, row) => (id, row)).ToDictionary(x => x.id, x => x.row, StringComparer.Ordinal);
        var index = new VectorIndex<int>(_encoder.Dimension, ids.Length);
        var passageVectors = Embed("embedding passages", ids.Select(id => passages[id]).ToArray(), progress);
        for (var row = 0; row < ids.Length; row++)
        {
            index.Upsert(row, passageVectors[row]);
        }

        var positivesOfQuery = pairs
            .GroupBy(p => p.Query, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => rows[p.PositiveId]).ToHashSet(), StringComparer.Ordinal);
        var queryVectors = Embed("embedding queries", pairs.Select(p => p.Query).ToArray(), progress);
        var random = new Random(_settings.Seed);
        var groups = new List<TrainingGroup>(pairs.Count);
        for (var i = 0; i < pairs.Count; i++)
        {
            var pair = pairs[i];
            var positive = passageVectors[rows[pair.PositiveId]];
            var excluded = positivesOfQuery[pair.Query];
            var candidates = index.Search(queryVectors[i], _settings.Depth + excluded.Count)
                .Where(hit => !excluded.Contains(hit.Key) && TensorPrimitives.Dot(positive, passageVectors[hit.Key]) < _settings.NearDuplicateCosine)
                .Take(_settings.Depth)
                .Select(hit => hit.Key)
                .ToList();
            if (candidates.Count >= _settings.Negatives)
            {
                var drawn = candidates.OrderBy(_ => random.Next()).Take(_settings.Negatives).Select(row => passages[ids[row]]).ToList();
                var unrelated = Unrelated(random, ids.Length, excluded, candidates);
                drawn.AddRange(Enumerable.Range(0, _settings.RandomNegatives).Select(_ => passages[ids[unrelated()]]));
                drawn.AddRange(Enumerable.Range(0, _settings.LongNegatives).Select(n => n % 2 == 0
                    ? RunTogether(random, unrelated, row => passages[ids[row]])
                    : Repeated(random, passages[ids[unrelated()]])));
                groups.Add(new TrainingGroup(pair, drawn));
            }

            if (i % 256 == 0 || i == pairs.Count - 1)
            {
                progress?.Report(("mining negatives", i + 1, pairs.Count));
            }
        }

        return groups;
    }

    /// <summary>Draws rows that are neither a positive of the query nor among its stage-1 hits.</summary>
    private static Func<int> Unrelated(Random random, int rows, HashSet<int> positives, List<int> hits)
    {
        var near = hits.ToHashSet();
        return () =>
        {
            // A small pool may hold nothing outside the hits: after a few tries any non-positive will do.
            for (var attempt = 0; ; attempt++)
            {
                var row = random.Next(rows);
                if (!positives.Contains(row) && (attempt >= 32 || !near.Contains(row)) || attempt >= 1024)
                {
                    return row;
                }
            }
        };
    }

    private string RunTogether(Random random, Func<int> unrelated, Func<int, string> text)
    {
        var words = new List<string>();
        while (words.Count < _settings.LongWords)
        {
            words.AddRange(Words(text(unrelated())));
        }

        return string.Join(' ', words.Take(_settings.LongWords + random.Next(_settings.LongWords)));
    }

    private string Repeated(Random random, string passage)
    {
        var sentences = passage.Split(". ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var sentence = Words(sentences[random.Next(sentences.Length)]);
        var words = new List<string>();
        while (words.Count < _settings.LongWords)
        {
            words.AddRange(sentence);
        }

        return string.Join(' ', words);
    }

    private static string[] Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private float[][] Embed(string stage, IReadOnlyList<string> texts, IProgress<(string Stage, int Done, int Total)>? progress)
    {
        const int slice = 512;
        var vectors = new float[texts.Count][];
        for (var start = 0; start < texts.Count; start += slice)
        {
            var count = Math.Min(slice, texts.Count - start);
            var embedded = _encoder.Embed(texts.Skip(start).Take(count).ToList());
            embedded.CopyTo(vectors, start);
            progress?.Report((stage, start + count, texts.Count));
        }

        return vectors;
    }
}
