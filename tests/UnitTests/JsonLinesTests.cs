using RerankCluster.Evaluation;

namespace RerankCluster.UnitTests;

public sealed class JsonLinesTests
{
    [Fact]
    public void Blank_lines_are_skipped_but_counted_and_a_line_that_is_not_JSON_names_its_file_and_line()
    {
        var path = Path.GetTempFileName();
        File.WriteAllLines(path, ["{\"a\": 1}", "", "  ", "[2]", "{\"b\": "]);

        var lines = JsonLines.Read(path).Take(2).ToList();
        Assert.Equal([1, 4], lines.Select(l => l.Number));
        Assert.Equal(1, lines[0].Root.GetProperty("a").GetInt32());
        Assert.Equal(2, lines[1].Root[0].GetInt32());

        var error = Assert.Throws<InvalidDataException>(() => JsonLines.Read(path).ToList());
        Assert.StartsWith($"{path}:5: not valid JSON", error.Message);
        File.Delete(path);
    }
}
