using System.CommandLine;

namespace RerankCluster.Cli.Commands;

/// <summary>Options several verbs share, declared once so they read the same everywhere.</summary>
public static class CommonOptions
{
    public static Option<Uri> Url() => new("--url")
    {
        Description = "Base address of a running gateway (`rerank serve`).",
        DefaultValueFactory = _ => new Uri("http://127.0.0.1:8080/"),
        CustomParser = result => ParseUri(result),
    };

    /// <summary>An absolute http(s) address; a bad one is reported as a parse error that names the option.</summary>
    public static Uri ParseUri(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }

        result.AddError($"{text} is not an absolute http(s) address.");
        return null!;
    }

    public static Option<string?> Key() => new("--key")
    {
        Description = "Tenant API key (default $RERANK_API_KEY; none for an open gateway).",
    };

    /// <summary>A client of the gateway at <paramref name="baseAddress"/>, sending the key when there is one.</summary>
    public static HttpClient Http(Uri baseAddress, string? key, TimeSpan? timeout = null)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromMinutes(10) };
        key ??= Environment.GetEnvironmentVariable("RERANK_API_KEY");
        if (!string.IsNullOrEmpty(key))
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

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

    public static Option<string?> Stage1()
    {
        var option = new Option<string?>("--stage1")
        {
            Description = "How stage 1 finds candidates: dense (bi-encoder), lexical (BM25) or hybrid (both, fused) (default: the index's).",
        };
        option.AcceptOnlyFromAmong("dense", "lexical", "hybrid");
        return option;
    }

    public static Option<string?> Stage1Fusion()
    {
        var option = new Option<string?>("--stage1-fusion") { Description = "Hybrid's fusion: rrf or linear (default: the server's Stage1:Fusion)." };
        option.AcceptOnlyFromAmong("rrf", "linear");
        return option;
    }
}
