using System.Text.Json;

namespace RerankCluster.Evaluation;

/// <summary>A JSONL file's non-blank lines as JSON, each with its line number; a line that is not JSON names its file and line.</summary>
public static class JsonLines
{
    public readonly record struct Line(int Number, JsonElement Root);

    public static IEnumerable<Line> Read(string path)
    {
        var number = 0;
        foreach (var text in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            JsonElement root;
            try
            {
                using var doc = JsonDocument.Parse(text);
                root = doc.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}:{number}: not valid JSON ({ex.Message}).", ex);
            }

            yield return new Line(number, root);
        }
    }
}
