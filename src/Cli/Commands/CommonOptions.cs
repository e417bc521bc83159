using System.CommandLine;

namespace RerankCluster.Cli.Commands;

/// <summary>Options several verbs share, declared once so they read the same everywhere.</summary>
public static class CommonOptions
{
    public static Option<Uri> Url() => new("--url")
    {
        Description = "Base address of a running gateway (`rerank serve`).",
        DefaultValueFactory = _ => new Uri("http://127.0.0.1:8080/"),
    };

    public static Option<string> Index() => new("--index")
    {
        Description = "Index name (a-z, 0-9, '-', '_').",
        DefaultValueFactory = _ => "default",
    };

    public static Option<int> TopK() => new("--top-k")
    {
        Description = "Results to return after reranking.",
        DefaultValueFactory = _ => 5,
    };

    public static Option<int> Candidates() => new("--candidates")
    {
        Description = "Stage-1 candidates the cross-encoder reranks.",
        DefaultValueFactory = _ => 50,
    };
}
