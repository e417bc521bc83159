using System.IO.Hashing;
using System.Text;
using BitFaster.Caching;
using BitFaster.Caching.Lru;
using Microsoft.Extensions.Options;
using RerankCluster.Configuration.Telemetry;

namespace RerankCluster.Grains.Caching;

/// <summary>
/// This silo's memory of model outputs: query embeddings by (model, query) and cross-encoder logits
/// by a 128-bit hash of (model, query, passage), so a repeated query or passage costs no inference.
/// Keys hold no text, so a cache of passages' scores never pins the passages themselves. Each is a
/// BitFaster <see cref="ConcurrentLru{K,V}"/> (bounded, lock-free reads); capacity 0 keeps nothing.
/// </summary>
public sealed class InferenceCache(IOptions<CacheOptions> options)
{
    private readonly ICache<UInt128, float[]>? _embeddings = Create<float[]>(options.Value.QueryEmbeddings);
    private readonly ICache<UInt128, float>? _scores = Create<float>(options.Value.Scores);

    public async Task<float[]> QueryEmbedding(string model, string query, Func<string, Task<float[]>> embed)
    {
        var key = Key(model, query);
        if (Lookup(_embeddings, key, "query_embedding", out var vector))
        {
            return vector;
        }

        vector = await embed(query);
        _embeddings?.AddOrUpdate(key, vector);
        return vector;
    }

    /// <summary>Cached logits where known (NaN elsewhere) and the keys to store fresh scores under.</summary>
    public (float[] Logits, UInt128[] Keys) Scores(string model, string query, IReadOnlyList<string> passages)
    {
        var logits = new float[passages.Count];
        var keys = new UInt128[passages.Count];
        for (var i = 0; i < passages.Count; i++)
        {
            keys[i] = Key(model, query, passages[i]);
            logits[i] = Lookup(_scores, keys[i], "score", out var logit) ? logit : float.NaN;
        }

        return (logits, keys);
    }

    public void StoreScore(UInt128 key, float logit) => _scores?.AddOrUpdate(key, logit);

    private static ICache<UInt128, T>? Create<T>(int capacity) => capacity == 0 ? null : new ConcurrentLru<UInt128, T>(capacity);

    private static bool Lookup<T>(ICache<UInt128, T>? cache, UInt128 key, string name, out T value)
    {
        T? found = default;
        var hit = cache?.TryGet(key, out found) == true;
        value = found!;
        RerankTelemetry.CacheLookups.Add(1, new KeyValuePair<string, object?>("cache", name),
            new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));
        return hit;
    }

    private static UInt128 Key(params string[] parts)
    {
        var hash = new XxHash128();
        foreach (var part in parts)
        {
            // Length-prefixed, so no two different part lists can hash the same bytes.
            var bytes = Encoding.UTF8.GetBytes(part);
            hash.Append(BitConverter.GetBytes(bytes.Length));
            hash.Append(bytes);
        }

        return hash.GetCurrentHashAsUInt128();
    }
}
