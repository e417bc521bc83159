using System.CommandLine;
using RerankCluster.Training.DebianPackages;
using RerankCluster.Training.ReferenceTexts;

namespace RerankCluster.Cli.Commands;

/// <summary>`rerank dataset debian-packages`: a BEIR dataset (query = summary, passage = long description) from Debian's package index.</summary>
public static class DatasetCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for corpus.jsonl, queries.jsonl, qrels/train.tsv and qrels/test.tsv.", Required = true };
        var inputs = new Option<string[]>("--input")
        {
            Description = "deb822 index files (Packages, Translation-en) to read instead of this machine's apt index.",
            AllowMultipleArgumentsPerToken = true,
        };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share of source packages held out for testing.", DefaultValueFactory = _ => 0.05 };
        var minWords = new Option<int>("--min-words") { Description = "Drop long descriptions shorter than this.", DefaultValueFactory = _ => 8 };
        var maxPackages = new Option<int?>("--max-packages") { Description = "Keep only the first N packages (by name) after de-duplication." };
        var debian = new Command("debian-packages", "Build a BEIR dataset from Debian's package descriptions (" + AptIndexFiles.UpdateHint + ").")
        {
            output, inputs, testFraction, minWords, maxPackages,
        };
        debian.SetAction(parse =>
        {
            var fraction = parse.GetValue(testFraction);
            if (fraction is <= 0 or >= 1 || double.IsNaN(fraction))
            {
                throw new ArgumentException("--test-fraction must be between 0 and 1 (exclusive).");
            }

            var files = parse.GetValue(inputs) ?? [];
            var packages = files.Length == 0
                ? AptIndexFiles.LoadSystemIndex()
                : DebianPackageIndex.Load(files.Select(f => File.Exists(f) ? (TextReader)new StreamReader(f) : throw new FileNotFoundException($"Index file '{f}' does not exist.", f)));
            var report = PackageDatasetBuilder.Build(packages, parse.GetValue(output)!,
                new PackageDatasetBuilder.Settings(fraction, parse.GetValue(minWords), parse.GetValue(maxPackages)));
            Console.WriteLine($"{report.PackagesRead} packages with descriptions, {report.Sources} source packages; dropped {report.DroppedShort} short and " +
                              $"{report.DroppedDuplicate} duplicate descriptions; kept {report.Kept}: {report.Train} train, {report.Test} held-out test " +
                              $"-> {Path.GetFullPath(parse.GetValue(output)!)}");
            return 0;
        });
        return new Command("dataset", "Build training and evaluation datasets.") { debian, ReferenceTexts() };
    }

    private static Command ReferenceTexts()
    {
        var output = new Option<string>("--out") { Description = "Folder with one BEIR dataset per source (<out>/<source>/).", Required = true };
        var sources = new Option<string[]>("--source")
        {
            Description = "Sources to build (default: all): " + string.Join(", ", ReferenceSources.All.Select(s => $"{s.Name} ({s.Package})")) + ".",
            AllowMultipleArgumentsPerToken = true,
        };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share of each source's entries held out for testing.", DefaultValueFactory = _ => 0.05 };
        var maxEntries = new Option<int?>("--max-entries") { Description = "Keep at most N entries per source (a stable sample)." };
        var command = new Command("reference-texts", "BEIR datasets from Debian's dictionaries and HTML manuals (term or heading → definition or section).")
        {
            output, sources, testFraction, maxEntries,
        };
        command.SetAction(parse =>
        {
            var fraction = parse.GetValue(testFraction);
            if (fraction is <= 0 or >= 1 || double.IsNaN(fraction))
            {
                throw new ArgumentException("--test-fraction must be between 0 and 1 (exclusive).");
            }

            var names = parse.GetValue(sources) is { Length: > 0 } chosen ? chosen : ReferenceSources.All.Select(s => s.Name).ToArray();
            foreach (var source in names.Select(ReferenceSources.Named))
            {
                var directory = Path.Combine(parse.GetValue(output)!, source.Name);
                var report = ReferenceDatasetBuilder.Build(ReferenceSources.Read(source), directory,
                    new ReferenceDatasetBuilder.Settings(fraction, MaximumEntries: parse.GetValue(maxEntries)));
                Console.WriteLine($"{report.Source}: {report.EntriesRead} entries; dropped {report.DroppedShort} short and {report.DroppedDuplicate} duplicate; " +
                                  $"kept {report.Kept}: {report.Train} train, {report.Test} held-out test -> {Path.GetFullPath(directory)}");
            }

            return 0;
        });
        return command;
    }
}
