using RerankCluster.Inference;
using RerankCluster.Retrieval;

namespace RerankCluster.Training.Data;

public sealed record TrainingGroup(TrainingPair Pair, IReadOnlyList<string> Negatives);

/// <summary>
/// Hard negatives from the project's own stage 1: each query is searched with the bi-encoder over the
/// passage pool, and negatives are drawn (seeded) from its top <see cref="Settings.Depth"/> hits, leaving
/// out the positive, near-duplicates of it, and passages that are a positive of the same query text.
/// </summary>
public sealed class HardNegativeMiner
{
    public sealed record Settings(int Negatives = 7, int Depth = 30, float NearDuplicateCosine = 0.97f, int Seed = 13);

    private readonly BiEncoder _encoder;
    private readonly Settings _settings;

    public HardNegativeMiner(BiEncoder encoder, Settings settings)
    {
        if (settings.Negatives < 1 || settings.Depth < settings.Negatives)
        {
            throw new ArgumentException($"Need at least one negative and a depth (--negative-depth {settings.Depth}) at least the number of negatives ({settings.Negatives}).");
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
                .Where(hit => !excluded.Contains(hit.Key) && VectorMath.Dot(positive, passageVectors[hit.Key]) < _settings.NearDuplicateCosine)
                .Take(_settings.Depth)
                .Select(hit => hit.Key)
                .ToList();
            if (candidates.Count >= _settings.Negatives)
            {
                var drawn = candidates.OrderBy(_ => random.Next()).Take(_settings.Negatives);
                groups.Add(new TrainingGroup(pair, drawn.Select(row => passages[ids[row]]).ToList()));
            }

            if (i % 256 == 0 || i == pairs.Count - 1)
            {
                progress?.Report(("mining negatives", i + 1, pairs.Count));
            }
        }

        return groups;
    }

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
