namespace RerankCluster.Grains.Interfaces;

/// <summary>How stage 1 finds candidates: bi-encoder cosine, BM25 over the chunk texts, or both fused.</summary>
[GenerateSerializer]
public enum Stage1Mode
{
    Dense,
    Lexical,
    Hybrid,
}

/// <summary>How a hybrid search fuses its dense and lexical lists.</summary>
[GenerateSerializer]
public enum Stage1Fusion
{
    /// <summary>Reciprocal rank fusion: Σ 1 / (k + rank).</summary>
    Rrf,

    /// <summary>(1 − w) · minmax(cosine) + w · minmax(BM25).</summary>
    Linear,
}

/// <summary>The wire names of the stage-1 modes and fusions (request fields, index settings, CLI options).</summary>
public static class Stage1Names
{
    public static string Of(Stage1Mode mode) => mode.ToString().ToLowerInvariant();

    public static string Of(Stage1Fusion fusion) => fusion.ToString().ToLowerInvariant();

    /// <summary>Null stays null (the default applies); an unknown name is a bad request naming the field.</summary>
    public static Stage1Mode? Mode(string? name, string field) => Parse<Stage1Mode>(name, field);

    public static Stage1Fusion? Fusion(string? name, string field) => Parse<Stage1Fusion>(name, field);

    private static T? Parse<T>(string? name, string field) where T : struct, Enum
    {
        if (name is null)
        {
            return null;
        }

        var match = Enum.GetValues<T>().Where(value => string.Equals(value.ToString(), name, StringComparison.OrdinalIgnoreCase)).ToArray();
        return match.Length == 1
            ? match[0]
            : throw new ArgumentException(
                $"{field} must be one of {string.Join(", ", Enum.GetValues<T>().Select(v => v.ToString().ToLowerInvariant()))} (got '{name}').");
    }
}

/// <summary>
/// One shard search: the dense list (when <paramref name="Embedding"/> is given) and the lexical list (when
/// <paramref name="Text"/> is), each the shard's best <paramref name="K"/>.
/// </summary>
/// <param name="Filter">A metadata filter (<c>MetadataFilter</c> JSON) the query grain has validated: both lists hold only chunks of documents it matches.</param>
/// <param name="Statistics">Every shard's BM25 counts for the query's terms summed, so that lexical scores are comparable across shards; null: this shard's own.</param>
[GenerateSerializer, Immutable]
public sealed record ShardQuery(
    [property: Id(0)] int K,
    [property: Id(1)] float[]? Embedding,
    [property: Id(2)] string? Text = null,
    [property: Id(3)] LexicalCounts? Statistics = null,
    [property: Id(4)] string? Filter = null);

/// <summary>A shard's answer: its best chunks by cosine and by BM25 (empty where the query did not ask).</summary>
[GenerateSerializer, Immutable]
public sealed record ShardHits(
    [property: Id(0)] ShardHit[] Dense,
    [property: Id(1)] ShardHit[] Lexical);

/// <summary>A shard's BM25 counts for one query's terms (the wire form of Retrieval's LexicalStatistics).</summary>
[GenerateSerializer, Immutable]
public sealed record LexicalCounts(
    [property: Id(0)] long MaxDocuments,
    [property: Id(1)] long Documents,
    [property: Id(2)] long Tokens,
    [property: Id(3)] long Postings,
    [property: Id(4)] string[] Terms,
    [property: Id(5)] long[] DocumentFrequencies,
    [property: Id(6)] long[] TotalFrequencies);
