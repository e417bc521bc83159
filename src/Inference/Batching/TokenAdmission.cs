namespace RerankCluster.Inference.Batching;

/// <summary>
/// Whether a batcher takes a request of <c>requestTokens</c> pair tokens. Under the budget
/// (<c>Batching:MaxQueuedTokens</c>, or its time form) anyone is admitted; past it, only a tenant still
/// within its weighted share of the budget with this request, so a flooding tenant cannot lock the others
/// out, or a tenant with nothing queued while others wait: a quiet tenant's one request may be larger
/// than its share (a query's part beside several floods) and would otherwise never be admitted while they
/// last. The queue thus never holds more than twice the budget plus one request per tenant. A request
/// larger than the budget runs when the queue is empty, rather than never.
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
        return tenantQueuedTokens + requestTokens <= share || (tenantQueuedTokens == 0 && waitingWeight > tenantWeight);
    }
}
