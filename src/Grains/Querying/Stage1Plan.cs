using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Options;

namespace RerankCluster.Grains.Querying;

/// <summary>How one search's stage 1 runs: each field the request's, else the index's, else the Stage1 options'.</summary>
/// <param name="Fusion">Null unless the mode is hybrid.</param>
public sealed record Stage1Plan(Stage1Mode Mode, Stage1Fusion? Fusion, int RrfK, double LexicalWeight)
{
    public static Stage1Plan For(SearchRequest request, IndexInfo index, Stage1Options options)
    {
        var mode = request.Stage1 ?? index.Stage1 ?? options.Mode;
        return new Stage1Plan(mode, mode == Stage1Mode.Hybrid ? request.Fusion ?? options.Fusion : null,
            request.RrfK ?? options.RrfK, request.LexicalWeight ?? options.LexicalWeight);
    }

    public bool Dense => Mode != Stage1Mode.Lexical;

    public bool Lexical => Mode != Stage1Mode.Dense;
}
