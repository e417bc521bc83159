namespace RerankCluster.Training.ReferenceTexts;

/// <summary>
/// The reference texts Debian installs that a reranker may learn from, where each package puts them.
/// Man pages are not among them on purpose: they are this project's evaluation data.
/// </summary>
public static class ReferenceSources
{
    public sealed record Source(string Name, string Package, Func<IReadOnlyList<ReferenceEntry>> Load, string Path);

    public static readonly IReadOnlyList<Source> All =
    [
        Dictd("foldoc", "dict-foldoc"),
        Dictd("jargon", "dict-jargon"),
        Dictd("vera", "dict-vera"),
        new("wordnet", "wordnet-base", () => WordNetGlosses.Load("/usr/share/wordnet"), "/usr/share/wordnet/data.noun"),
        new("python-docs", "python3.11-doc", () => SphinxManual.Load("python-docs", "/usr/share/doc/python3.11/html", new SphinxManual.Settings()),
            "/usr/share/doc/python3.11/html/index.html"),
        // Its man/ folder renders the sphinx-build(1) family of man pages: evaluation data, never training data.
        new("sphinx-docs", "sphinx-doc", () => SphinxManual.Load("sphinx-docs", "/usr/share/doc/sphinx-doc/html", new SphinxManual.Settings(ExcludedFolders: ["man"])),
            "/usr/share/doc/sphinx-doc/html/index.html"),
    ];

    public static Source Named(string name) =>
        All.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"Unknown source '{name}'; the sources are {string.Join(", ", All.Select(s => s.Name))}.");

    /// <summary>The entries of a source, or an error that says which Debian package installs it.</summary>
    public static IReadOnlyList<ReferenceEntry> Read(Source source) =>
        File.Exists(source.Path)
            ? source.Load()
            : throw new FileNotFoundException($"{source.Path} is missing: install it with `apt-get install -y {source.Package}`.", source.Path);

    private static Source Dictd(string name, string package) =>
        new(name, package, () => DictdDictionary.Load(name, $"/usr/share/dictd/{name}.index", $"/usr/share/dictd/{name}.dict.dz"), $"/usr/share/dictd/{name}.index");
}
