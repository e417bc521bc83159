namespace RerankCluster.Grains.Querying;

/// <summary>
/// A read any of several replicas can answer: the first is asked; when it fails, or has not answered
/// within the hedging delay, the next is asked as well; the first answer wins. A dead replica thus
/// costs one delay, not a failed search, before membership has noticed. Independent of Orleans so it is
/// tested on its own.
/// </summary>
public static class HedgedRead
{
    /// <param name="replicas">How many replicas can answer; <paramref name="ask"/> gets 0 … replicas − 1, in the order to try.</param>
    /// <exception cref="Exception">The last replica's error, when every replica failed.</exception>
    public static async Task<T> First<T>(int replicas, Func<int, Task<T>> ask, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        var running = new List<Task<T>> { ask(0) };
        var next = 1;
        Exception? last = null;
        while (running.Count > 0)
        {
            var hedge = next < replicas ? Task.Delay(delay, cancellationToken) : Task.Delay(Timeout.Infinite, cancellationToken);
            var finished = await Task.WhenAny(running.Append<Task>(hedge));
            cancellationToken.ThrowIfCancellationRequested();
            if (finished != hedge)
            {
                var answer = (Task<T>)finished;
                running.Remove(answer);
                if (answer.IsCompletedSuccessfully)
                {
                    return answer.Result;
                }

                last = answer.Exception?.InnerException ?? new TaskCanceledException(answer);
            }

            if (next < replicas)
            {
                running.Add(ask(next++));
            }
        }

        throw last!;
    }
}
