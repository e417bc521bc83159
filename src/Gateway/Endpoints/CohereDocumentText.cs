using System.Text.Json;

namespace RerankCluster.Gateway.Endpoints;

/// <summary>
/// The text a Cohere v1 / Jina document is scored by. A string is its own text; an object is scored by its
/// <c>text</c> field, or, with <c>rank_fields</c>, by those fields in the order named, one
/// <c>"field: value"</c> line each (Cohere's format for structured documents; a field the object lacks is
/// left out, a non-string value is written as its JSON).
/// </summary>
public static class CohereDocumentText
{
    public const int MaxRankFields = 32;

    public static string Of(JsonElement document, int position, IReadOnlyList<string>? rankFields)
    {
        if (rankFields is not { Count: > 0 } || document.ValueKind != JsonValueKind.Object)
        {
            return Text(document.ValueKind switch
            {
                JsonValueKind.String => document,
                JsonValueKind.Object when document.TryGetProperty("text", out var field) && field.ValueKind == JsonValueKind.String => field,
                _ => throw new ArgumentException($"documents[{position}] must be a string or an object with a string field text" +
                    (document.ValueKind == JsonValueKind.Object ? " (or name its fields in rank_fields)." : ".")),
            }, position);
        }

        var lines = new List<string>();
        foreach (var name in rankFields)
        {
            if (document.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                lines.Add($"{name}: {(value.ValueKind == JsonValueKind.String ? Text(value, position) : value.GetRawText())}");
            }
        }

        return lines.Count > 0
            ? string.Join('\n', lines)
            : throw new ArgumentException($"documents[{position}] has none of the rank_fields ({string.Join(", ", rankFields)}).");
    }

    /// <summary>rank_fields must name fields: non-empty strings, at most <see cref="MaxRankFields"/>.</summary>
    public static void Validate(IReadOnlyList<string>? rankFields)
    {
        if (rankFields is null)
        {
            return;
        }

        if (rankFields.Count > MaxRankFields)
        {
            throw new ArgumentException($"rank_fields names {rankFields.Count} fields; at most {MaxRankFields} are allowed.");
        }

        if (rankFields.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("rank_fields must name fields: an entry is empty.");
        }
    }

    private static string Text(JsonElement value, int position)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // e.g. a lone UTF-16 surrogate escape: not text any model can read.
            throw new ArgumentException($"documents[{position}] is not valid Unicode text.");
        }
    }
}
