using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Reranking;

/// <summary>
/// Sends one micro-batch to its first silo and, when that silo fails or has not answered within the
/// attempt timeout, to the next one as well (pairs are idempotent: the first answer wins, the others
/// are cancelled). A failed or stalled silo cools down; one that refuses at admission does not, it is
/// busy, not broken. Independent of Orleans so it is tested on its own.
/// </summary>
public static class MicroBatchFailover
{
    /// <param name="order">Silos to try, first choice first (<see cref="SiloLoadBoard.Order"/>); not empty.</param>
    /// <param name="send">Sends the batch to one silo.</param>
    public static async Task<RerankBatchResult> Send(RerankBatch batch, IReadOnlyList<string> order, TimeSpan attemptTimeout,
        SiloCooldown cooldown, Func<string, RerankBatch, CancellationToken, Task<RerankBatchResult>> send, CancellationToken cancellationToken)
    {
        using var attempts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new Dictionary<Task<RerankBatchResult>, string>();
        var next = 0;
        Exception? last = null;
        try
        {
            running.Add(send(order[next], batch, attempts.Token), order[next++]);
            while (running.Count > 0)
            {
                // Without another silo to try, a slow attempt is simply waited for.
                var stall = next < order.Count ? Task.Delay(attemptTimeout, attempts.Token) : Task.Delay(Timeout.Infinite, attempts.Token);
                var finished = await Task.WhenAny(running.Keys.Append<Task>(stall)).WaitAsync(cancellationToken);
                if (finished == stall)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    foreach (var slow in running.Values)
                    {
                        cooldown.Failed(slow, null);
                    }
                }
                else
                {
                    var silo = running[(Task<RerankBatchResult>)finished];
                    running.Remove((Task<RerankBatchResult>)finished);
                    try
                    {
                        return await (Task<RerankBatchResult>)finished;
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        throw;
                    }
                    catch (ArgumentException)
                    {
                        // The request's own fault: every silo would say the same.
                        throw;
                    }
                    catch (OverloadedException busy)
                    {
                        last = busy;
                    }
                    catch (Exception error)
                    {
                        cooldown.Failed(silo, error);
                        last = error;
                    }
                }

                if (next < order.Count)
                {
                    running.Add(send(order[next], batch, attempts.Token), order[next++]);
                }
            }

            throw last!;
        }
        finally
        {
            // Whatever still runs elsewhere is no longer needed: its queued pairs leave that silo's queue.
            attempts.Cancel();
        }
    }
}
