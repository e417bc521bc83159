using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using RerankCluster.Configuration;

namespace RerankCluster.Inference.Batching;

/// <summary>How a silo merges pairs from concurrent requests into model batches (section <c>Batching</c>).</summary>
public sealed class BatcherOptions : IValidatableObject
{
    public const string Section = "Batching";

    /// <summary>Most padded tokens (rows × longest row) in one model call, as TEI's max-batch-tokens.</summary>
    [SettingRange(512L, long.MaxValue, ErrorMessage = "Batching:MaxBatchTokens must be at least {1}, one full-length pair")]
    public long MaxBatchTokens { get; set; } = 16384;

    [SettingRange(1, 4096, ErrorMessage = "Batching:MaxBatchPairs must be between {1} and {2}")]
    public int MaxBatchPairs { get; set; } = 64;

    /// <summary>
    /// Longest one model call may take at the silo's measured speed (fewer tokens than MaxBatchTokens on a slow
    /// silo): pairs first in fair order wait at most this long for the call already running, so a quiet tenant
    /// beside a flooding one waits about two calls, not two full batches. Shorter calls cost throughput (per-call
    /// overhead, smaller matrices). 0 (the default): MaxBatchTokens only, as TEI.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Batching:MaxBatchTime must be between 0 and 1 minute")]
    public TimeSpan MaxBatchTime { get; set; }

    /// <summary>Most of a row that padding may take: a shorter pair starts a new batch instead.</summary>
    [SettingRange(0d, 1d, ErrorMessage = "Batching:MaxPaddingFraction must be between {1} and {2}")]
    public double MaxPaddingFraction { get; set; } = 0.2;

    /// <summary>How long a lone pair waits for company before it runs anyway.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:00:01", ErrorMessage = "Batching:MaxWait must be between 0 and 1 second")]
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Model calls running at once on this silo; each gets the cores divided among them.</summary>
    [SettingRange(1, 64, ErrorMessage = "Batching:InferenceThreads must be between {1} and {2}")]
    public int InferenceThreads { get; set; } = 1;

    /// <summary>
    /// Admission budget: most pair tokens waiting for a model call on this silo. A request that would
    /// go past it is refused at once (429 with Retry-After), unless the queue is empty, so that one
    /// request larger than the budget still runs alone.
    /// </summary>
    public long MaxQueuedTokens { get; set; } = 131072;

    /// <summary>
    /// Admission budget in time: once the silo's throughput is measured, a request is admitted only while the
    /// work queued ahead of it drains within this delay (tokens per second × delay, and never more than
    /// MaxQueuedTokens in all), so a fast silo queues more tokens than a slow one and no admitted request waits
    /// much longer than this for the model. One model call's worth (MaxBatchTokens, or MaxBatchTime's) may always
    /// wait, so a CPU silo, whose one call takes longer than this, keeps working. 0: tokens only.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Batching:MaxQueueDelay must be between 0 and 10 minutes")]
    public TimeSpan MaxQueueDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Tokens a tenant that had nothing queued may have served ahead of tenants already waiting (its weight
    /// scales it): a quiet tenant's request of up to this size is not interleaved with a flood but goes next,
    /// as a whole. A tenant that keeps sending earns none. 0 (the default): plain weighted fair queueing;
    /// MaxBatchTokens is a natural value. Off by default until a run shows it helps end to end (README, Scale).
    /// </summary>
    [SettingRange(0L, long.MaxValue, ErrorMessage = "Batching:QuietTenantBurstTokens must be at least {1}")]
    public long QuietTenantBurstTokens { get; set; }

    /// <summary>Share of the model each tenant gets while several wait (weighted fair queueing by tokens); unlisted tenants weigh 1.</summary>
    public Dictionary<string, double> TenantWeights { get; set; } = new(StringComparer.Ordinal);

    public double WeightOf(string tenant) => TenantWeights.GetValueOrDefault(tenant, 1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxQueuedTokens < MaxBatchTokens)
        {
            yield return new ValidationResult(
                $"{Section}:MaxQueuedTokens must be at least {Section}:MaxBatchTokens ({MaxBatchTokens}), one full batch (got {MaxQueuedTokens}).");
        }

        foreach (var (tenant, weight) in TenantWeights.Where(w => !(w.Value is > 0 and <= 1000)))
        {
            yield return new ValidationResult($"{Section}:TenantWeights:{tenant} must be above 0 and at most 1000 (got {weight}).");
        }
    }
}

[OptionsValidator]
public sealed partial class BatcherOptionsValidator : IValidateOptions<BatcherOptions>;
