using RerankCluster.Evaluation;
using RerankCluster.Training.Data;

namespace RerankCluster.Training.DebianPackages;

/// <summary>
/// Turns packages into a BEIR dataset: query = summary, relevant passage = long description.
/// One package per source package (binary packages of one source share most of their prose), then
/// no repeated summary or opening paragraph (separate -data/-common sources repeat their program's
/// introduction, which would make a judged-irrelevant twin of the answer), then a held-out test split
/// by source that training never sees.
/// </summary>
public static class PackageDatasetBuilder
{
    public sealed record Settings(double TestFraction = 0.05, int MinimumPassageWords = 8, int? MaximumPackages = null);

    public sealed record Report(int PackagesRead, int Sources, int Kept, int Train, int Test, int DroppedShort, int DroppedDuplicate);

    public static Report Build(IReadOnlyList<DebianPackage> packages, string output, Settings settings)
    {
        var perSource = packages
            .GroupBy(p => p.Source, StringComparer.Ordinal)
            .Select(g => g.OrderBy(p => p.Name == g.Key ? 0 : 1).ThenBy(p => p.Name.Length).ThenBy(p => p.Name, StringComparer.Ordinal).First())
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();

        var seenPassages = new HashSet<string>(StringComparer.Ordinal);
        var seenQueries = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<DebianPackage>();
        int droppedShort = 0, droppedDuplicate = 0;
        foreach (var package in perSource)
        {
            if (WordCount(package.LongDescription) < settings.MinimumPassageWords)
            {
                droppedShort++;
                continue;
            }

            if (!seenPassages.Add(Normalise(package.LongDescription.Split('\n')[0])) | !seenQueries.Add(Normalise(package.Summary)))
            {
                droppedDuplicate++;
                continue;
            }

            kept.Add(package);
        }

        if (settings.MaximumPackages is { } maximum)
        {
            kept = kept.Take(maximum).ToList();
        }

        var queries = kept.Select(p => new BeirQuery(QueryId(p), p.Summary)).ToList();
        var corpus = kept.Select(p => new CorpusRecord(p.Name, "", p.LongDescription, null)).ToList();
        var test = kept.Where(p => HeldOutSplit.IsHeldOut(p.Source, settings.TestFraction)).ToList();
        var train = kept.Except(test).ToList();
        BeirDatasetWriter.Write(output, corpus, queries, new Dictionary<string, IEnumerable<(string, string)>>
        {
            ["train"] = train.Select(p => (QueryId(p), p.Name)),
            ["test"] = test.Select(p => (QueryId(p), p.Name)),
        });
        return new Report(packages.Count, perSource.Count, kept.Count, train.Count, test.Count, droppedShort, droppedDuplicate);
    }

    private static string QueryId(DebianPackage package) => "q-" + package.Name;

    private static int WordCount(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    private static string Normalise(string text) =>
        string.Join(' ', text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
