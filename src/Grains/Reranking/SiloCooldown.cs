using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RerankCluster.Grains.Options;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// Model silos that failed or stalled on a micro-batch or an embedding call, as seen from this silo: each
/// gets no new micro-batches or embedding calls for Rerank:FailedSiloCooldown, long before membership
/// would declare a dead one, and then gets work again. Cooling silos still come last in a batch's order (<see cref="SiloLoadBoard"/>),
/// so a batch is never refused while any silo might take it.
/// </summary>
public sealed class SiloCooldown(IOptions<RerankOptions> options, TimeProvider clock, ILogger<SiloCooldown> logger)
{
    private readonly ConcurrentDictionary<string, long> _failedAt = new(StringComparer.Ordinal);

    public void Failed(string silo, Exception? error)
    {
        _failedAt[silo] = clock.GetTimestamp();
        logger.LogWarning("Model silo {Silo} failed or stalled on a call ({Error}); no new micro-batches or embedding calls for {Cooldown}", silo,
            error?.GetType().Name ?? "no answer within its stall timeout, at most Rerank:BatchAttemptTimeout", options.Value.FailedSiloCooldown);
    }

    public bool IsCoolingDown(string silo)
    {
        if (!_failedAt.TryGetValue(silo, out var at))
        {
            return false;
        }

        if (clock.GetElapsedTime(at) < options.Value.FailedSiloCooldown)
        {
            return true;
        }

        _failedAt.TryRemove(KeyValuePair.Create(silo, at));
        return false;
    }
}
