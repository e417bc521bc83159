using System.Text.Json;
using System.Text.Json.Serialization;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Sharding;
using RerankCluster.Retrieval;

namespace RerankCluster.UnitTests;

/// <summary>
/// Filtered shard search against a brute-force filter: each filter is paired with a C# predicate over
/// the metadata records the documents were generated from, written without the filter code.
/// </summary>
public sealed class MetadataFilterTests
{
    private sealed record Author([property: JsonPropertyName("name")] string Name);

    private sealed record Meta(
        [property: JsonPropertyName("lang")] string? Lang,
        [property: JsonPropertyName("year")] int? Year,
        [property: JsonPropertyName("tags")] string[]? Tags,
        [property: JsonPropertyName("published")] DateTimeOffset? Published,
        [property: JsonPropertyName("author")] Author? Author,
        [property: JsonPropertyName("draft")] bool? Draft);

    private static readonly JsonSerializerOptions OmitMissing = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static readonly string[] Languages = ["en", "fr", "de"];
    private static readonly string[] Tags = ["go", "rust", "sql", "ops"];
    private static readonly string[] Names = ["ada", "grace", "linus"];

    /// <summary>Seeded, with every field missing from some documents.</summary>
    private static List<(string Id, Meta Meta)> Corpus()
    {
        var random = new Random(20261205);
        T? Maybe<T>(Func<T> make) => random.NextDouble() < 0.8 ? make() : default;
        return Enumerable.Range(0, 400).Select(i => ($"d{i}", new Meta(
            Maybe(() => Languages[random.Next(Languages.Length)]),
            random.NextDouble() < 0.8 ? 1990 + random.Next(35) : null,
            Maybe(() => Tags.Where(_ => random.NextDouble() < 0.4).ToArray()),
            random.NextDouble() < 0.8 ? new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(random.Next(5 * 365 * 24)) : null,
            Maybe(() => new Author(Names[random.Next(Names.Length)])),
            random.NextDouble() < 0.5 ? random.NextDouble() < 0.5 : null))).ToList();
    }

    public static TheoryData<string> Filters() => new(Cases.Keys);

    private static readonly Dictionary<string, Func<Meta, bool>> Cases = new()
    {
        ["""{"lang": "en"}"""] = m => m.Lang == "en",
        ["""{"lang": {"$eq": "fr"}}"""] = m => m.Lang == "fr",
        ["""{"lang": {"$ne": "en"}}"""] = m => m.Lang != "en",
        ["""{"lang": {"$in": ["fr", "de"]}}"""] = m => m.Lang is "fr" or "de",
        ["""{"lang": {"$nin": ["fr", "de"]}}"""] = m => m.Lang is not ("fr" or "de"),
        ["""{"year": {"$gte": 2010, "$lt": 2020}}"""] = m => m.Year is >= 2010 and < 2020,
        ["""{"year": {"$gt": 2015}}"""] = m => m.Year > 2015,
        ["""{"year": {"$lte": 1995.5}}"""] = m => m.Year <= 1995,
        ["""{"year": 2001.0}"""] = m => m.Year == 2001,
        ["""{"tags": "go"}"""] = m => m.Tags?.Contains("go") == true,
        ["""{"tags": {"$in": ["rust", "sql"]}}"""] = m => m.Tags?.Any(t => t is "rust" or "sql") == true,
        ["""{"tags": {"$nin": ["rust"]}}"""] = m => m.Tags?.Contains("rust") != true,
        ["""{"tags": {"$exists": true}}"""] = m => m.Tags is not null,
        ["""{"published": {"$gt": "2022-06-01T00:00:00Z", "$lte": "2023-01-01"}}"""] = m =>
            m.Published > new DateTimeOffset(2022, 6, 1, 0, 0, 0, TimeSpan.Zero) && m.Published <= new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero),
        ["""{"author.name": {"$eq": "ada"}}"""] = m => m.Author?.Name == "ada",
        ["""{"author.name": {"$exists": false}}"""] = m => m.Author is null,
        ["""{"draft": true}"""] = m => m.Draft == true,
        ["""{"draft": {"$exists": false}}"""] = m => m.Draft is null,
        ["""{"lang": "en", "draft": false}"""] = m => m.Lang == "en" && m.Draft == false,
        ["""{"$or": [{"lang": "fr"}, {"$and": [{"year": {"$lt": 2000}}, {"$not": {"tags": {"$in": ["go"]}}}]}]}"""] = m =>
            m.Lang == "fr" || (m.Year < 2000 && m.Tags?.Contains("go") != true),
        ["""{"$not": {"$or": [{"author.name": "grace"}, {"published": {"$exists": false}}]}}"""] = m => !(m.Author?.Name == "grace" || m.Published is null),
        // A date bound never matches a number, nor a number bound a string: the types are not comparable.
        ["""{"year": {"$gt": "2020-01-01"}}"""] = _ => false,
        ["""{"lang": {"$gt": 1}}"""] = _ => false,
        ["""{"nothere": "x"}"""] = _ => false,
        ["""{}"""] = _ => true,
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public void A_filtered_search_returns_exactly_the_matching_documents_and_filters_before_top_k(string filter)
    {
        var corpus = Corpus();
        var random = new Random(7);
        var shard = new ShardContents();
        shard.Upsert(corpus.Select(d => new DocumentChunks(d.Id,
        [
            new StoredChunk(d.Id, 0, $"document {d.Id} of the corpus", JsonSerializer.Serialize(d.Meta, OmitMissing), 1, Unit(random)),
        ])));
        var expected = corpus.Where(d => Cases[filter](d.Meta)).Select(d => d.Id).ToHashSet();
        var query = Unit(random);

        // Both lists: the dense one and the BM25 one ("document" is in every chunk).
        var all = shard.Search(new ShardQuery(corpus.Count, query, "document", Filter: filter));
        Assert.Equal(expected.Order(), all.Dense.Select(h => h.DocumentId).Order());
        Assert.Equal(expected.Order(), all.Lexical.Select(h => h.DocumentId).Order());

        // Top 10 of the matching documents, not the matching ones among the top 10.
        var top = shard.Search(new ShardQuery(10, query, "document", Filter: filter));
        foreach (var (list, whole) in new[] { (top.Dense, all.Dense), (top.Lexical, all.Lexical) })
        {
            Assert.Equal(Math.Min(10, expected.Count), list.Length);
            Assert.All(list, hit => Assert.Contains(hit.DocumentId, expected));
            Assert.Equal(whole.Take(10).Select(h => h.DocumentId), list.Select(h => h.DocumentId));
        }
    }

    [Fact]
    public void Filters_follow_replacements_and_deletes()
    {
        var shard = new ShardContents();
        var random = new Random(3);
        shard.Upsert([new DocumentChunks("a", [new StoredChunk("a", 0, "a", """{"lang": "en"}""", 1, Unit(random))])]);
        shard.Upsert([new DocumentChunks("b", [new StoredChunk("b", 0, "b", """{"lang": "en"}""", 1, Unit(random))])]);
        const string english = """{"lang": "en"}""";
        Assert.Equal(2, shard.Search(new ShardQuery(5, Unit(random), Filter: english)).Dense.Length);

        shard.Upsert([new DocumentChunks("a", [new StoredChunk("a", 0, "a", """{"lang": "fr"}""", 1, Unit(random))])]);
        shard.Remove("b");
        Assert.Empty(shard.Search(new ShardQuery(5, Unit(random), Filter: english)).Dense);
        Assert.Equal(["a"], shard.Search(new ShardQuery(5, Unit(random), Filter: """{"lang": "fr"}""")).Dense.Select(h => h.DocumentId));
    }

    [Theory]
    [InlineData("""[]""", "filter expects an object")]
    [InlineData("""{"year": {"$gt": true}}""", "filter.year.$gt expects a number or an ISO 8601 date")]
    [InlineData("""{"year": {"$gt": "soon"}}""", "filter.year.$gt expects a number or an ISO 8601 date")]
    [InlineData("""{"$and": {}}""", "filter.$and expects a non-empty array")]
    [InlineData("""{"$or": []}""", "filter.$or expects a non-empty array")]
    [InlineData("""{"$or": [{"a": 1}, {"b": {"$in": "x"}}]}""", "filter.$or[1].b.$in expects an array")]
    [InlineData("""{"$or": [{"a": 1}, 2]}""", "filter.$or[1] expects an object")]
    [InlineData("""{"a": {"$regex": "x"}}""", "filter.a.$regex is not an operator")]
    [InlineData("""{"a": null}""", "filter.a expects a string, number or boolean")]
    [InlineData("""{"a": [1, 2]}""", "filter.a expects a string, number or boolean")]
    [InlineData("""{"a": {"$in": [1, {"b": 2}]}}""", "filter.a.$in[1] expects a string, number or boolean")]
    [InlineData("""{"a": {"b": 1}}""", "write it as the dotted path \"a.b\"")]
    [InlineData("""{"a": {}}""", "filter.a has no operator")]
    [InlineData("""{"a..b": 1}""", "filter.a..b has an empty segment")]
    [InlineData("""{"$nor": [{"a": 1}]}""", "filter.$nor is not an operator here")]
    [InlineData("""{"a": {"$exists": "yes"}}""", "filter.a.$exists expects true or false")]
    [InlineData("""{"a": """, "filter is not valid JSON")]
    public void A_malformed_filter_is_refused_with_its_path(string filter, string message)
    {
        var error = Assert.Throws<MetadataFilterException>(() => MetadataFilter.Parse(filter));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Nesting_is_bounded()
    {
        var deep = string.Concat(Enumerable.Repeat("""{"$not": """, MetadataFilter.MaxDepth + 2)) + """{"a": 1}""" +
                   new string('}', MetadataFilter.MaxDepth + 2);
        Assert.Contains("nests deeper than", Assert.Throws<MetadataFilterException>(() => MetadataFilter.Parse(deep)).Message);

        var allowed = string.Concat(Enumerable.Repeat("""{"$not": """, MetadataFilter.MaxDepth)) + """{"a": 1}""" + new string('}', MetadataFilter.MaxDepth);
        Assert.True(MetadataFilter.Parse(allowed).Matches(JsonDocument.Parse("""{"a": 1}""").RootElement));
    }

    private static float[] Unit(Random random)
    {
        var v = Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }
}
