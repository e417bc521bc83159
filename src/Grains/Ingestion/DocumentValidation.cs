using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Ingestion;

/// <summary>Rules every upserted document must meet; violations name the document and the rule.</summary>
public static class DocumentValidation
{
    public const int MaxIdLength = 512;

    public static void Require(IReadOnlyList<DocumentInput> documents)
    {
        if (documents.Count == 0)
        {
            throw new ArgumentException("documents must not be empty.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < documents.Count; i++)
        {
            var document = documents[i];
            if (document is null)
            {
                throw new ArgumentException($"documents[{i}] is null.");
            }

            RequireId(document.Id, $"documents[{i}].id");
            if (!ids.Add(document.Id))
            {
                throw new ArgumentException($"documents[{i}].id '{document.Id}' appears more than once in this request.");
            }

            if (string.IsNullOrWhiteSpace(document.Text))
            {
                throw new ArgumentException($"documents[{i}].text (id '{document.Id}') must not be empty.");
            }
        }
    }

    public static void RequireId(string? id, string field = "id")
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new ArgumentException($"{field} must not be empty.");
        }

        if (id.Length > MaxIdLength)
        {
            throw new ArgumentException($"{field} is {id.Length} characters; the limit is {MaxIdLength}.");
        }

        if (id.Any(char.IsControl))
        {
            throw new ArgumentException($"{field} must not contain control characters.");
        }
    }
}
