using System.Text;
using System.Text.RegularExpressions;

namespace RerankCluster.Training.DebianPackages;

/// <summary>
/// Splits a Description field into its summary and long description, and turns the long one into
/// plain prose: the leading space of each line goes, " ." paragraph markers become breaks, runs of
/// whitespace collapse, and list bullets are dropped.
/// </summary>
public static partial class DebianDescription
{
    public static (string Summary, string LongDescription) Split(string field)
    {
        var newline = field.IndexOf('\n');
        return newline < 0 ? (field.Trim(), "") : (field[..newline].Trim(), Clean(field[(newline + 1)..]));
    }

    public static string Clean(string longDescription)
    {
        var paragraphs = new List<string>();
        var current = new StringBuilder();
        foreach (var raw in longDescription.Split('\n'))
        {
            var line = raw.Trim();
            if (line == ".")
            {
                Flush();
                continue;
            }

            line = Bullet().Replace(line, "");
            if (line.Length > 0)
            {
                current.Append(current.Length > 0 ? " " : "").Append(line);
            }
        }

        Flush();
        return string.Join("\n", paragraphs);

        void Flush()
        {
            if (current.Length > 0)
            {
                paragraphs.Add(Whitespace().Replace(current.ToString(), " ").Trim());
                current.Clear();
            }
        }
    }

    [GeneratedRegex(@"^([*+\-o]|\d+[.)])\s+")]
    private static partial Regex Bullet();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
