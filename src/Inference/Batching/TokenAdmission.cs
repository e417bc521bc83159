namespace RerankCluster.Inference.Batching;

/// <summary>
/// Whether a batcher takes a request of <c>requestTokens</c> pair tokens. Under the budget
/// (<c>Batching:MaxQueuedTokens</c>) anyone is admitted; past it, only a tenant still below its
/// weighted share of the budget, so a flooding tenant cannot lock the others out and the queue
/// never holds more than twice the budget. A request larger than the budget runs when the queue is
/// empty, rather than never.
/// </summary>
public static class TokenAdmission
{
    /// <param name="waitingWeight">Summed weights of the tenants with pairs queued, this one included.</param>
    public static bool Admits(long queuedTokens, long tenantQueuedTokens, double tenantWeight, double waitingWeight, long requestTokens,
        long budget)
    {
        if (queuedTokens == 0 || queuedTokens + requestTokens <= budget)
        {
            return true;
        }

        var share = budget * tenantWeight / waitingWeight;
        return tenantQueuedTokens + requestTokens <= share;
    }
}
