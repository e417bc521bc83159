using System.Globalization;

namespace RerankCluster.Evaluation;

/// <summary>Graded relevance judgements: query id → document id → grade (only grades above 0 count).</summary>
public sealed class Qrels
{
    private readonly Dictionary<string, Dictionary<string, int>> _judgements;

    public Qrels(Dictionary<string, Dictionary<string, int>> judgements)
    {
        _judgements = judgements;
    }

    public static Qrels Load(string path)
    {
        var judgements = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var fields = line.Split('\t');
            if (string.IsNullOrWhiteSpace(line) || (lineNumber == 1 && fields[0] == "query-id"))
            {
                continue;
            }

            if (fields.Length < 3 || !int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var grade))
            {
                throw new InvalidDataException($"{path}:{lineNumber}: expected 'query-id<TAB>corpus-id<TAB>score'.");
            }

            if (!judgements.TryGetValue(fields[0], out var forQuery))
            {
                judgements[fields[0]] = forQuery = new Dictionary<string, int>(StringComparer.Ordinal);
            }

            forQuery[fields[1]] = grade;
        }

        return new Qrels(judgements);
    }

    public IReadOnlyDictionary<string, int> For(string queryId) =>
        _judgements.TryGetValue(queryId, out var forQuery) ? forQuery : new Dictionary<string, int>();

    public bool HasRelevant(string queryId) => For(queryId).Values.Any(grade => grade > 0);

    /// <summary>Every document judged relevant to some query.</summary>
    public IEnumerable<string> Documents() =>
        _judgements.Values.SelectMany(d => d.Where(j => j.Value > 0).Select(j => j.Key)).Distinct(StringComparer.Ordinal);
}
