using System.CommandLine;
using RerankCluster.Training.DebianPackages;

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
        return new Command("dataset", "Build training and evaluation datasets.") { debian };
    }
}
