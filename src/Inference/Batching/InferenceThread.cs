using System.Collections.Concurrent;

namespace RerankCluster.Inference.Batching;

/// <summary>
/// A thread of its own for a model's calls, fed by a queue. ONNX Runtime (and a simulated device) blocks
/// its caller for the whole call; on the thread pool that would hold a worker that grain turns and
/// requests need, and make the pool inject threads. Calls run one at a time, in the order given.
/// </summary>
public sealed class InferenceThread : IDisposable
{
    private readonly BlockingCollection<Action> _calls = new();
    private readonly Thread _thread;

    public InferenceThread(string name)
    {
        _thread = new Thread(() =>
        {
            foreach (var call in _calls.GetConsumingEnumerable())
            {
                call();
            }
        }) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Queues a call; its result (or error) completes the task, whose continuations run off this thread.</summary>
    public Task<T> Run<T>(Func<T> call, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls.Add(() =>
        {
            try
            {
                result.SetResult(call());
            }
            catch (Exception ex)
            {
                result.SetException(ex);
            }
        }, cancellationToken);
        return result.Task;
    }

    /// <summary>Runs the calls already queued, then ends the thread.</summary>
    public void Dispose()
    {
        _calls.CompleteAdding();
        _thread.Join();
        _calls.Dispose();
    }
}
