using System.Globalization;
using System.Text.Json;

namespace RerankCluster.Retrieval;

/// <summary>
/// A search filter over a document's metadata, in the operator syntax of Pinecone and Chroma, which
/// LangChain's and LlamaIndex's filter translators already write:
/// <c>{"lang": "en", "year": {"$gte": 2020}, "$or": [{"tag": {"$in": ["a", "b"]}}, {"draft": {"$exists": false}}]}</c>.
/// Keys of one object all hold (and); a field is a dotted path into nested objects; an array-valued field
/// matches a positive condition when any element does, and <c>$ne</c>/<c>$nin</c> when none does or
/// the field is missing. Ranges compare numbers with numbers and ISO 8601 dates with dates.
/// </summary>
public abstract class MetadataFilter
{
    /// <summary>Deeper nesting than this is refused: a hostile filter must not exhaust the stack.</summary>
    public const int MaxDepth = 16;

    public const int MaxInValues = 1024;

    public abstract bool Matches(JsonElement? metadata);

    /// <exception cref="MetadataFilterException">The filter is malformed; the message names the path.</exception>
    public static MetadataFilter Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 2 * MaxDepth + 4 });
        }
        catch (JsonException ex)
        {
            throw new MetadataFilterException($"filter is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            return Parse(document.RootElement);
        }
    }

    /// <exception cref="MetadataFilterException">The filter is malformed; the message names the path.</exception>
    public static MetadataFilter Parse(JsonElement filter) => ParseObject(filter, "filter", 0);

    private static MetadataFilter ParseObject(JsonElement filter, string path, int depth)
    {
        if (filter.ValueKind != JsonValueKind.Object)
        {
            throw Error(path, $"expects an object of fields and operators (got {Describe(filter)})");
        }

        if (depth > MaxDepth)
        {
            throw Error(path, $"nests deeper than {MaxDepth} levels");
        }

        var conditions = new List<MetadataFilter>();
        foreach (var property in filter.EnumerateObject())
        {
            var at = $"{path}.{property.Name}";
            conditions.Add(property.Name switch
            {
                "$and" => new All(ParseList(property.Value, at, depth)),
                "$or" => new Any(ParseList(property.Value, at, depth)),
                "$not" => new Not(ParseObject(property.Value, at, depth + 1)),
                var name when name.StartsWith('$') => throw Error(at, "is not an operator here (use $and, $or or $not, or a field name)"),
                "" => throw Error(at, "names no field"),
                _ => ParseField(property.Name, property.Value, at),
            });
        }

        return conditions.Count == 1 ? conditions[0] : new All(conditions);
    }

    private static MetadataFilter[] ParseList(JsonElement list, string path, int depth)
    {
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw Error(path, $"expects a non-empty array of filters (got {Describe(list)})");
        }

        return list.EnumerateArray().Select((item, i) => ParseObject(item, $"{path}[{i}]", depth + 1)).ToArray();
    }

    private static MetadataFilter ParseField(string field, JsonElement condition, string path)
    {
        var segments = field.Split('.');
        if (segments.Any(s => s.Length == 0))
        {
            throw Error(path, "has an empty segment in its dotted field path");
        }

        if (condition.ValueKind != JsonValueKind.Object)
        {
            return new Field(segments, Operator.Eq, [Scalar(condition, path)]);
        }

        var operators = new List<MetadataFilter>();
        foreach (var property in condition.EnumerateObject())
        {
            var at = $"{path}.{property.Name}";
            var value = property.Value;
            operators.Add(property.Name switch
            {
                "$eq" => new Field(segments, Operator.Eq, [Scalar(value, at)]),
                "$ne" => new Not(new Field(segments, Operator.Eq, [Scalar(value, at)])),
                "$in" => new Field(segments, Operator.Eq, Values(value, at)),
                "$nin" => new Not(new Field(segments, Operator.Eq, Values(value, at))),
                "$gt" => new Field(segments, Operator.Gt, [Bound(value, at)]),
                "$gte" => new Field(segments, Operator.Gte, [Bound(value, at)]),
                "$lt" => new Field(segments, Operator.Lt, [Bound(value, at)]),
                "$lte" => new Field(segments, Operator.Lte, [Bound(value, at)]),
                "$exists" => value.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? value.GetBoolean() ? new Field(segments, Operator.Exists, []) : new Not(new Field(segments, Operator.Exists, []))
                    : throw Error(at, $"expects true or false (got {Describe(value)})"),
                var name when name.StartsWith('$') => throw Error(at, "is not an operator ($eq, $ne, $in, $nin, $gt, $gte, $lt, $lte, $exists)"),
                _ => throw Error(at, $"is a nested field: write it as the dotted path \"{field}.{property.Name}\""),
            });
        }

        return operators.Count switch
        {
            0 => throw Error(path, "has no operator"),
            1 => operators[0],
            _ => new All(operators),
        };
    }

    private static JsonElement[] Values(JsonElement list, string path)
    {
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() is 0 or > MaxInValues)
        {
            throw Error(path, $"expects an array of 1 to {MaxInValues} strings, numbers or booleans (got {Describe(list)})");
        }

        return list.EnumerateArray().Select((item, i) => Scalar(item, $"{path}[{i}]")).ToArray();
    }

    private static JsonElement Scalar(JsonElement value, string path) =>
        value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False
            ? value.Clone()
            : throw Error(path, $"expects a string, number or boolean (got {Describe(value)}; use $exists to test for a missing field)");

    private static JsonElement Bound(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.Number || (value.ValueKind == JsonValueKind.String && Date(value) is not null)
            ? value.Clone()
            : throw Error(path, $"expects a number or an ISO 8601 date (got {Describe(value)})");

    private static DateTimeOffset? Date(JsonElement value) =>
        DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Truncate(value.GetString()!)}\"",
        JsonValueKind.Array => $"an array of {value.GetArrayLength()}",
        JsonValueKind.Object => "an object",
        _ => Truncate(value.GetRawText()),
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static MetadataFilterException Error(string path, string problem) => new($"{path} {problem}.");

    private enum Operator { Eq, Gt, Gte, Lt, Lte, Exists }

    private sealed class All(IReadOnlyList<MetadataFilter> conditions) : MetadataFilter
    {
        public override bool Matches(JsonElement? metadata) => conditions.All(c => c.Matches(metadata));
    }

    private sealed class Any(IReadOnlyList<MetadataFilter> conditions) : MetadataFilter
    {
        public override bool Matches(JsonElement? metadata) => conditions.Any(c => c.Matches(metadata));
    }

    private sealed class Not(MetadataFilter condition) : MetadataFilter
    {
        public override bool Matches(JsonElement? metadata) => !condition.Matches(metadata);
    }

    /// <summary>One operator on one field; <c>Eq</c> with several operands is <c>$in</c>.</summary>
    private sealed class Field(string[] path, Operator op, JsonElement[] operands) : MetadataFilter
    {
        public override bool Matches(JsonElement? metadata)
        {
            if (Resolve(metadata) is not { } value)
            {
                return false;
            }

            // An empty array exists too: only the other operators look at elements.
            if (op == Operator.Exists)
            {
                return true;
            }

            return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Any(Holds) : Holds(value);
        }

        private JsonElement? Resolve(JsonElement? metadata)
        {
            var current = metadata;
            foreach (var segment in path)
            {
                if (current is not { ValueKind: JsonValueKind.Object } node || !node.TryGetProperty(segment, out var next))
                {
                    return null;
                }

                current = next;
            }

            return current is { ValueKind: JsonValueKind.Null } ? null : current;
        }

        private bool Holds(JsonElement value) => op switch
        {
            Operator.Eq => operands.Any(operand => Equal(value, operand)),
            _ => Compare(value, operands[0]) is { } order && op switch
            {
                Operator.Gt => order > 0,
                Operator.Gte => order >= 0,
                Operator.Lt => order < 0,
                _ => order <= 0,
            },
        };

        private static bool Equal(JsonElement value, JsonElement operand) => (value.ValueKind, operand.ValueKind) switch
        {
            (JsonValueKind.String, JsonValueKind.String) => value.GetString() == operand.GetString(),
            (JsonValueKind.Number, JsonValueKind.Number) => value.GetDouble() == operand.GetDouble(),
            (JsonValueKind.True or JsonValueKind.False, JsonValueKind.True or JsonValueKind.False) => value.ValueKind == operand.ValueKind,
            _ => false,
        };

        /// <summary>The field against the bound, or null when they are not comparable (that condition does not hold).</summary>
        private static int? Compare(JsonElement value, JsonElement bound) => (value.ValueKind, bound.ValueKind) switch
        {
            (JsonValueKind.Number, JsonValueKind.Number) => value.GetDouble().CompareTo(bound.GetDouble()),
            (JsonValueKind.String, JsonValueKind.String) when Date(value) is { } date => date.CompareTo(Date(bound)!.Value),
            _ => null,
        };
    }
}
