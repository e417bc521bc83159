using System.Text.Json;

namespace RerankCluster.Evaluation;

/// <summary>One line of a corpus file: BEIR's <c>_id</c>/<c>title</c>/<c>text</c>, or <c>id</c>/<c>text</c>/<c>metadata</c>.</summary>
public sealed record CorpusRecord(string Id, string Title, string Text, JsonElement? Metadata)
{
    /// <summary>The text indexed for this record: title and body, as BEIR's baselines encode them.</summary>
    public string IndexedText => string.IsNullOrWhiteSpace(Title) ? Text : $"{Title}. {Text}";
}

/// <summary>Streams JSONL records, naming the file and line of anything it cannot read.</summary>
public static class CorpusReader
{
    public static IEnumerable<CorpusRecord> Read(string path)
    {
        foreach (var (lineNumber, root) in JsonLines.Read(path))
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: expected a JSON object.");
            }

            var id = Field(root, "_id") ?? Field(root, "id")
                     ?? throw new InvalidDataException($"{path}:{lineNumber}: the record has neither _id nor id.");
            var metadata = root.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : (JsonElement?)null;
            yield return new CorpusRecord(id, Field(root, "title") ?? "", Field(root, "text") ?? "", metadata);
        }
    }

    private static string? Field(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}
