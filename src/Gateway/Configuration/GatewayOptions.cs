using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using RerankCluster.Configuration;

namespace RerankCluster.Gateway.Configuration;

/// <summary>Who may call the gateway, and how it rides out a silo leaving (section <c>Gateway</c>).</summary>
public sealed class GatewayOptions : IValidatableObject
{
    public const string Section = "Gateway";

    /// <summary>
    /// The key that creates tenants; also read from the environment variable RERANK_ADMIN_KEY. Without
    /// one the gateway is open: no keys are asked for and every request belongs to the tenant "default".
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>How long a resolved API key is trusted before it is looked up again.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Gateway:KeyCacheTtl must be between 0 and 1 hour")]
    public TimeSpan KeyCacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a key known before waits for its fresh lookup; past it (the key's silo stalled or lost) the known answer stands.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:00:30", MinimumIsExclusive = true, ErrorMessage = "Gateway:KeyLookupTimeout must be above 0 and at most 30 seconds")]
    public TimeSpan KeyLookupTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a search, rerank or upsert that met a silo leaving is retried: longer than the cluster
    /// takes to declare a dead silo (about 6 s with the membership settings shipped), so a lost silo fails
    /// no request. 0 turns retries off.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Gateway:RetryWindow must be between 0 and 1 minute")]
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The least a search, rerank or document read waits before it is sent again through another entry (and
    /// so, often, another silo); the wait is at least twice the p95 of recent reads, and a read has at most
    /// three attempts in flight. The first success answers and the other attempts are cancelled. Hedges
    /// have a budget of their own, half the reads plus 5 a second (<c>IdempotentRetry.HedgeBudget</c>). A
    /// stalled (not dead) silo is never declared dead within seconds; this is what keeps reads that entered
    /// through it answering. 0 turns hedging off.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Gateway:HedgeDelay must be between 0 (off) and 1 minute")]
    public TimeSpan HedgeDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long reads pass over an entry (and so, the gateway silo the client sends it through) whose attempt did not
    /// answer within the hedging delay; doubled each time in a row, up to a minute; an answer through it clears it.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00.1", "00:01:00", ErrorMessage = "Gateway:StallProbation must be between 100 ms and 1 minute")]
    public TimeSpan StallProbation { get; set; } = TimeSpan.FromSeconds(5);

    public bool RequiresKeys => !string.IsNullOrEmpty(AdminKey);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Empty is allowed: it leaves the gateway open, as no key at all does.
        if (AdminKey is { Length: > 0 and < 16 })
        {
            yield return new ValidationResult($"{Section}:AdminKey (RERANK_ADMIN_KEY) must be at least 16 characters.");
        }
    }
}

[OptionsValidator]
public sealed partial class GatewayOptionsValidator : IValidateOptions<GatewayOptions>;
