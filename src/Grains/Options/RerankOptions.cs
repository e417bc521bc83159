using RerankCluster.Configuration;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Options;

/// <summary>How a query's candidates are reranked on the cluster: time limits, failover, fusion, long documents (section <c>Rerank</c>).</summary>
public sealed class RerankOptions : ISelfValidatingOptions
{
    public const string Section = "Rerank";

    /// <summary>Longest a query's reranking may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The longest a micro-batch may go unanswered before it is also sent to another rerank silo (the first
    /// answer wins) and its silo cools down. Sooner for a silo whose speed is measured: four times what the
    /// batch is expected to take there, at least half a second (<c>SiloLoadBoard.StallTimeout</c>). Past
    /// Rerank:Timeout the query ends first.
    /// </summary>
    public TimeSpan BatchAttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a silo that failed or stalled on a micro-batch gets no new ones (unless every silo is cooling down).</summary>
    public TimeSpan FailedSiloCooldown { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>What a search does when reranking fails or times out.</summary>
    public RerankFailureMode OnFailure { get; set; } = RerankFailureMode.Fail;

    /// <summary>
    /// Weight of the stage-1 similarity in the final order (0 = the reranker's order): the candidates are
    /// ranked by <c>(1 − w) · minmax(logit) + w · minmax(cosine)</c>, so a reranker out of its domain degrades
    /// towards stage 1 instead of below it. Unset: the weight the model declares (its config.json's
    /// <c>rerankcluster_stage1_weight</c>; 0 for models that declare none). Fit it with
    /// `rerank eval --split train` (its <c>fusion</c> table).
    /// </summary>
    public double? Stage1Weight { get; set; }

    /// <summary>
    /// Windows a long rerank document is cut into when the request names no max_chunks_per_doc; it takes its best
    /// window's score. 1 (the default): a document is truncated to one pair, as TEI and Jina do.
    /// </summary>
    public int MaxChunksPerDoc { get; set; } = 1;

    public IEnumerable<string> Validate()
    {
        if (MaxChunksPerDoc is < 1 or > RerankLimits.MaxChunksPerDoc)
        {
            yield return $"{Section}:MaxChunksPerDoc must be between 1 and {RerankLimits.MaxChunksPerDoc} (got {MaxChunksPerDoc}).";
        }

        if (Stage1Weight is < 0 or > 1 or double.NaN)
        {
            yield return $"{Section}:Stage1Weight must be between 0 and 1 (got {Stage1Weight}).";
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(10))
        {
            yield return $"{Section}:Timeout must be above 0 and at most 10 minutes (got {Timeout}).";
        }

        if (BatchAttemptTimeout <= TimeSpan.Zero || BatchAttemptTimeout > TimeSpan.FromMinutes(10))
        {
            yield return $"{Section}:BatchAttemptTimeout must be above 0 and at most 10 minutes (got {BatchAttemptTimeout}).";
        }

        if (FailedSiloCooldown < TimeSpan.Zero || FailedSiloCooldown > TimeSpan.FromMinutes(10))
        {
            yield return $"{Section}:FailedSiloCooldown must be between 0 and 10 minutes (got {FailedSiloCooldown}).";
        }
    }
}
