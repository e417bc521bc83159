using System.Collections.Concurrent;
using RerankCluster.Grains.Ingestion;

namespace RerankCluster.ClusterTests;

/// <summary>
/// A grain call filter in front of every silo's embedding grain (registered on each test silo): counts the calls
/// each silo embeds, holds a call whose texts carry <see cref="HoldMarker"/> until released, and can make
/// every call slow, the way a busy accelerator would look.
/// </summary>
public sealed class EmbeddingGate
{
    public const string HoldMarker = "HOLD-THIS-UPSERT";

    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentDictionary<string, int> CallsBySilo { get; } = new();

    /// <summary>Completes once a held call has arrived.</summary>
    public TaskCompletionSource Holding { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TimeSpan Delay { get; set; }

    public void Release() => _release.TrySetResult();

    /// <summary>Closes the gate again and forgets the counts.</summary>
    public void Reset()
    {
        Release();
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CallsBySilo.Clear();
        Delay = TimeSpan.Zero;
    }

    public async Task Pass(string silo, IIncomingGrainCallContext context)
    {
        if (context.Grain is EmbeddingSiloGrain && context.Request.GetArgument(0) is string[] texts)
        {
            CallsBySilo.AddOrUpdate(silo, 1, (_, calls) => calls + 1);
            if (texts.Any(text => text.Contains(HoldMarker, StringComparison.Ordinal)))
            {
                Holding.TrySetResult();
                await _release.Task;
            }

            await Task.Delay(Delay);
        }

        await context.Invoke();
    }
}
