namespace RerankCluster.Evaluation;

/// <param name="Min">Smallest change counted in the bin; null: no lower bound.</param>
/// <param name="Max">Largest change counted in the bin; null: no upper bound.</param>
public sealed record RankChangeBin(int? Min, int? Max, int Queries);

/// <summary>
/// How far stage 2 moved each query's first relevant document (<see cref="QueryRankChange.Change"/>), in
/// bins that keep single places apart near 0, where most queries land, and lump the long moves.
/// </summary>
/// <param name="NotRanked">Queries whose relevant document is missing from either list (not among the candidates).</param>
public sealed record RankChangeHistogram(IReadOnlyList<RankChangeBin> Bins, int MovedUp, int Unchanged, int MovedDown, int NotRanked)
{
    private static readonly (int? Min, int? Max)[] Edges =
        [(null, -10), (-9, -5), (-4, -2), (-1, -1), (0, 0), (1, 1), (2, 4), (5, 9), (10, null)];

    public static RankChangeHistogram Of(IReadOnlyCollection<QueryRankChange> queries)
    {
        var changes = queries.Where(q => q.Change is not null).Select(q => q.Change!.Value).ToList();
        var bins = Edges
            .Select(e => new RankChangeBin(e.Min, e.Max, changes.Count(c => c >= (e.Min ?? int.MinValue) && c <= (e.Max ?? int.MaxValue))))
            .ToList();
        return new RankChangeHistogram(bins, changes.Count(c => c > 0), changes.Count(c => c == 0), changes.Count(c => c < 0),
            queries.Count - changes.Count);
    }
}
