namespace RerankCluster.Evaluation;

/// <summary>
/// Where one query's first relevant document stood in stage 1 and in stage 2 (1-based; null where that
/// list does not hold one).
/// </summary>
public sealed record QueryRankChange(string QueryId, string Query, int? Stage1Rank, int? Stage2Rank)
{
    /// <summary>Places stage 2 moved it up (negative: down); null unless both lists hold it.</summary>
    public int? Change => Stage1Rank - Stage2Rank;

    /// <summary>Stage 2 brought a relevant document into the top k, where stage 1 had none.</summary>
    public bool FixedAt(int k) => Stage2Rank <= k && !(Stage1Rank <= k);

    /// <summary>Stage 1 had a relevant document in the top k, and stage 2 none.</summary>
    public bool BrokeAt(int k) => Stage1Rank <= k && !(Stage2Rank <= k);
}
