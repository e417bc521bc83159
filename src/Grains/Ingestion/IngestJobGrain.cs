using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using Orleans.Storage;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Options;

namespace RerankCluster.Grains.Ingestion;

[GenerateSerializer]
public sealed class IngestJobRecord
{
    [Id(0)] public IngestJobState State { get; set; }

    [Id(1)] public int Documents { get; set; }

    [Id(2)] public int Stored { get; set; }

    [Id(3)] public int Chunks { get; set; }

    [Id(4)] public int Replaced { get; set; }

    [Id(5)] public List<string> Errors { get; set; } = [];

    [Id(6)] public DateTimeOffset CreatedAt { get; set; }

    [Id(7)] public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>
/// One upsert, run as a job by <see cref="UpsertPipeline"/>; its progress is persisted after every stored
/// slice, so a job whose silo leaves reads back as failed with what it had stored. Reentrant: status reads
/// and waits interleave with the run. A finished job is forgotten after <c>Indexing:JobRetention</c>.
/// The record is read on the first status call, not on activation: a fresh job must not need storage
/// to activate, or a storage outage would fail its start as an activation error rather than a 503.
/// </summary>
[Reentrant]
public sealed class IngestJobGrain(
    [FromKeyedServices(RerankStorage.Indexes)] IGrainStorage storage,
    UpsertPipeline pipeline,
    IOptions<IndexingOptions> options,
    TimeProvider clock,
    ILogger<IngestJobGrain> logger) : Grain, IIngestJobGrain
{
    private const string StateName = "ingest-job";
    private readonly GrainState<IngestJobRecord> _record = new(new IngestJobRecord());
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private bool _started;
    private Task? _loading;
    private Exception? _failure;

    private string JobId => IngestJobKey.Parse(this.GetPrimaryKeyString()).JobId;

    // Created with a record, and a storage read of a job never written leaves a fresh one: never null.
    private IngestJobRecord Job => _record.State!;

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _stop.Cancel();
        return Task.CompletedTask;
    }

    public async Task<IngestJobStatus> Start(DocumentInput[] documents, CancellationToken cancellationToken)
    {
        if (_started)
        {
            throw new ConflictException($"Job '{JobId}' has already started.");
        }

        _started = true;
        // The caller's wait counts from here: checks and the first save come out of Indexing:UpsertWait, so that on a
        // starved silo the answer (200, or 202 with the job) still comes well inside Orleans' response timeout.
        var began = clock.GetTimestamp();
        UpsertPlan plan;
        try
        {
            plan = await pipeline.Prepare(IngestJobKey.Parse(this.GetPrimaryKeyString()).IndexKey, documents, cancellationToken);
        }
        catch
        {
            // Refused before it was accepted: nothing to remember.
            DeactivateOnIdle();
            throw;
        }

        _record.State = new IngestJobRecord { State = IngestJobState.Running, Documents = documents.Length, CreatedAt = clock.GetUtcNow() };
        await Save();
        KeepUntilForgotten();
        // Not awaited: the job outlives this call, which only waits for it up to Indexing:UpsertWait.
        _ = Run(plan);
        var status = await Wait(options.Value.UpsertWait - clock.GetElapsedTime(began), cancellationToken);
        if (_failure is not null)
        {
            // Failed within the wait: the caller gets the error itself (503 storage, 404 index deleted, ...), and
            // nothing is acknowledged; the job's status says what was stored.
            ExceptionDispatchInfo.Throw(_failure);
        }

        return status;
    }

    public async Task<IngestJobStatus> Wait(TimeSpan wait, CancellationToken cancellationToken)
    {
        await RequireKnown();
        var bounded = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > options.Value.UpsertWait ? options.Value.UpsertWait : wait;
        await Task.WhenAny(_finished.Task, Task.Delay(bounded, clock, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        return Snapshot();
    }

    public async Task<IngestJobStatus> Status()
    {
        await RequireKnown();
        return Snapshot();
    }

    private async Task Run(UpsertPlan plan)
    {
        try
        {
            await foreach (var outcome in pipeline.Run(plan, _stop.Token))
            {
                Job.Stored += outcome.Stored;
                Job.Chunks += outcome.Chunks;
                Job.Replaced += outcome.Replaced;
                if (outcome.Error is { } error)
                {
                    _failure ??= error;
                    var documents = outcome.Slice.Documents;
                    Job.Errors.Add($"{documents.Length} documents ('{documents[0].Id}' to '{documents[^1].Id}') may not be stored: {UpsertPipeline.Describe(error)}");
                }

                await Save();
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Upsert job {Job} stopped after {Stored} of {Documents} documents", this.GetPrimaryKeyString(), Job.Stored,
                Job.Documents);
            _failure ??= ex;
            Job.Errors.Add(UpsertPipeline.Describe(ex));
        }

        await Finish(_failure is null ? IngestJobState.Succeeded : IngestJobState.Failed);
    }

    private async Task Finish(IngestJobState outcome)
    {
        Job.State = outcome;
        Job.FinishedAt = clock.GetUtcNow();
        try
        {
            await Save();
        }
        catch (Exception ex)
        {
            // Still readable here; a later activation reads "running" and reports the job as interrupted.
            logger.LogWarning(ex, "Upsert job {Job} finished ({State}) but its status could not be stored", this.GetPrimaryKeyString(), outcome);
        }

        logger.LogInformation("Upsert job {Job} {State}: {Stored} of {Documents} documents, {Chunks} chunks", this.GetPrimaryKeyString(), outcome,
            Job.Stored, Job.Documents, Job.Chunks);
        _finished.TrySetResult();
    }

    /// <summary>Keeps the activation (and so a running job) alive, and forgets the job once retention has passed.</summary>
    private void KeepUntilForgotten()
    {
        // Indexing:JobRetention is at least a minute, so a job outlives its retention by at most one tick.
        var every = TimeSpan.FromMinutes(1);
        this.RegisterGrainTimer(async cancellationToken =>
        {
            if (Job.FinishedAt is { } finished && clock.GetUtcNow() - finished >= options.Value.JobRetention)
            {
                await storage.ClearStateAsync(StateName, this.GetGrainId(), _record);
                DeactivateOnIdle();
            }
        }, new GrainTimerCreationOptions(every, every) { KeepAlive = true, Interleave = true });
    }

    /// <summary>Reads the job once per activation (unless this activation started it), or says it is unknown.</summary>
    private async Task RequireKnown()
    {
        if (!_started)
        {
            try
            {
                await (_loading ??= Load());
            }
            catch
            {
                // Storage unreachable: the next call tries again.
                _loading = null;
                throw;
            }
        }

        if (!_record.RecordExists)
        {
            if (!_started)
            {
                DeactivateOnIdle();
            }

            var (indexKey, job) = IngestJobKey.Parse(this.GetPrimaryKeyString());
            throw new NotFoundException(
                $"Upsert job '{job}' of index '{IndexKey.Parse(indexKey).Index}' is unknown: it never started, or finished longer than Indexing:JobRetention ago.");
        }
    }

    private async Task Load()
    {
        await storage.ReadStateAsync(StateName, this.GetGrainId(), _record);
        if (!_record.RecordExists)
        {
            return;
        }

        _started = true;
        KeepUntilForgotten();
        if (Job.State == IngestJobState.Running)
        {
            // Running in storage but not in this activation: the silo that ran it left or stopped mid-way.
            Job.Errors.Add("the job was interrupted (its silo left the cluster); documents beyond `stored` may be missing: upsert them again");
            await Finish(IngestJobState.Failed);
        }
        else
        {
            _finished.TrySetResult();
        }
    }

    private Task Save() => storage.WriteStateAsync(StateName, this.GetGrainId(), _record);

    private IngestJobStatus Snapshot() => new(JobId, Job.State, Job.Documents, Job.Stored, Job.Chunks,
        Job.Replaced, Job.Errors.ToArray(), Job.CreatedAt, Job.FinishedAt);
}
