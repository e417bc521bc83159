using Microsoft.Extensions.Options;
using RerankCluster.Configuration;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Options;

/// <summary>How a query's candidates are reranked on the cluster: time limits, failover, fusion, long documents (section <c>Rerank</c>).</summary>
public sealed class RerankOptions
{
    public const string Section = "Rerank";

    /// <summary>Longest a query's reranking may take before it counts as failed.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:10:00", MinimumIsExclusive = true, ErrorMessage = "Rerank:Timeout must be above 0 and at most 10 minutes")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The longest a micro-batch may go unanswered before it is also sent to another rerank silo (the first
    /// answer wins) and its silo cools down. Sooner for a silo whose speed is measured: four times what the
    /// batch is expected to take there, at least half a second (<c>SiloLoadBoard.StallTimeout</c>). Past
    /// Rerank:Timeout the query ends first.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:10:00", MinimumIsExclusive = true, ErrorMessage = "Rerank:BatchAttemptTimeout must be above 0 and at most 10 minutes")]
    public TimeSpan BatchAttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a silo that failed or stalled on a micro-batch gets no new ones (unless every silo is cooling down).</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Rerank:FailedSiloCooldown must be between 0 and 10 minutes")]
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
    [SettingRange(0d, 1d, ErrorMessage = "Rerank:Stage1Weight must be between {1} and {2}")]
    public double? Stage1Weight { get; set; }

    /// <summary>
    /// Windows a long rerank document is cut into when the request names no max_chunks_per_doc; it takes its best
    /// window's score. 1 (the default): a document is truncated to one pair, as TEI and Jina do.
    /// </summary>
    [SettingRange(1, RerankLimits.MaxChunksPerDoc, ErrorMessage = "Rerank:MaxChunksPerDoc must be between {1} and {2}")]
    public int MaxChunksPerDoc { get; set; } = 1;
}

[OptionsValidator]
public sealed partial class RerankOptionsValidator : IValidateOptions<RerankOptions>;
