using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Options;
using RerankCluster.Grains.Placement;
using RerankCluster.Grains.Storage;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Sharding;

/// <summary>
/// One replica of one shard: its chunks in memory, loaded from the shard store. Replica 0 stores every
/// write before it applies it, then forwards it to the other replicas in order (epoch + sequence); a
/// replica that sees a gap, or a new epoch, reloads from the store instead, so it never serves a
/// half-applied history. A replica that did not apply a write in time is marked stale in the store
/// before the write is acknowledged, and reloads before it next serves. Searches go to any replica. Each replica-0
/// activation claims the shard's writes in the store when it starts; a superseded one's writes are refused.
/// </summary>
[ShardSpreadPlacement]
public sealed class ShardGrain(IShardStore store, ILocalSiloDetails silo, IOptions<IndexingOptions> indexing, ILogger<ShardGrain> logger)
    : Grain, IShardGrain
{
    private ShardContents _contents = new(indexing.Value.AnnMinChunks, indexing.Value.AnnExpansionSearch);
    private readonly string _epoch = Guid.NewGuid().ToString("N");
    private long _sequence;
    private string? _appliedEpoch;
    private long _appliedSequence;
    // Applies and stale reloads take turns: a write applied while a reload reads the store would be lost in the swap.
    private readonly SemaphoreSlim _applying = new(1, 1);

    /// <summary>No real epoch: after a stale reload, the next forwarded write reloads too rather than guess its place.</summary>
    private const string ReloadedEpoch = "reloaded";

    private string Key => this.GetPrimaryKeyString();

    /// <summary>Every replica of a shard reads and (replica 0) writes the shard's one stored copy.</summary>
    private string StoreKey => IndexKey.ParseReplica(Key).ShardKey;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A mark set before this activation is answered by the load it does anyway.
        var replica = IndexKey.ParseReplica(Key).Replica;
        var mark = replica > 0 ? await store.StaleMark(StoreKey, replica) : null;
        if (replica == 0)
        {
            // Before the load: a write by the activation this one replaces is either in what it loads or refused.
            await store.ClaimWriter(StoreKey, _epoch);
        }

        await Load();
        if (mark is not null)
        {
            await store.ClearStale(StoreKey, replica, mark);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _contents.Dispose();
        return Task.CompletedTask;
    }

    public async Task<int> Upsert(DocumentChunks[] documents, int replicas)
    {
        // Stored first: the caller is told "stored" only once the store has it.
        await Fenced(() => store.Upsert(StoreKey, _epoch, documents));
        var existed = _contents.Upsert(documents);
        await Forward(replicas, documents, []);
        return existed;
    }

    public async Task<int> Delete(string[] documentIds, int replicas)
    {
        await Fenced(() => store.Delete(StoreKey, _epoch, documentIds));
        var deleted = documentIds.Count(_contents.Remove);
        await Forward(replicas, [], documentIds);
        return deleted;
    }

    /// <summary>
    /// A write refused because another activation claimed the shard since: this one is superseded (its silo stalled and
    /// was replaced, or the store lost the claim) and leaves, so that the caller's retry reaches the current writer or
    /// activates one that claims afresh.
    /// </summary>
    private async Task Fenced(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (ShardWriterFencedException)
        {
            logger.LogWarning("Replica 0 of shard {Shard} was superseded by a newer writer; this activation leaves", StoreKey);
            DeactivateOnIdle();
            throw;
        }
    }

    public async Task Apply(string epoch, long sequence, DocumentChunks[] upserts, string[] deletes)
    {
        await _applying.WaitAsync();
        try
        {
            await ApplyInOrder(epoch, sequence, upserts, deletes);
        }
        finally
        {
            _applying.Release();
        }
    }

    private async Task ApplyInOrder(string epoch, long sequence, DocumentChunks[] upserts, string[] deletes)
    {
        // In order: the next write of the replica 0 activation this replica follows, or the very first write of
        // one (this replica loaded the store before it, or, activated by it, after it: applying again is harmless).
        var inOrder = epoch == _appliedEpoch ? sequence == _appliedSequence + 1 : _appliedEpoch is null && sequence == 1;
        if (!inOrder)
        {
            // Writes were missed (a forward that failed, or a replica 0 that restarted): the store has them all.
            await Load();
        }
        else
        {
            _contents.Upsert(upserts);
            foreach (var id in deletes)
            {
                _contents.Remove(id);
            }
        }

        _appliedEpoch = epoch;
        _appliedSequence = sequence;
    }

    public async Task<string[]> Existing(string[] documentIds) => documentIds.Where((await Fresh()).Contains).ToArray();

    public async Task<DocumentChunks?> Get(string documentId) => (await Fresh()).Get(documentId);

    public async Task<ShardHits> Search(ShardQuery query) => (await Fresh()).Search(query);

    public async Task<LexicalCounts> LexicalStatistics(string text) => (await Fresh()).LexicalStatistics(text);

    public Task<ShardStats> Stats()
    {
        var shardKey = StoreKey;
        var shard = int.Parse(shardKey[(shardKey.LastIndexOf('/') + 1)..]);
        return Task.FromResult(new ShardStats(shard, _contents.Documents, _contents.Chunks, silo.SiloAddress.ToParsableString()));
    }

    public async Task Drop(int replicas)
    {
        await store.Drop(StoreKey);
        await Task.WhenAll(Replicas(replicas).Select(pair => pair.Grain.Forget()));
        await Forget();
    }

    public Task Forget()
    {
        _contents.Clear();
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Sends a stored write to the other replicas, in this activation's order. One that does not apply it
    /// in time is marked stale in the store before the write is acknowledged (a mark that cannot be stored
    /// fails the write, so the caller retries it); one whose silo died loads the store afresh where it is reactivated.
    /// </summary>
    private async Task Forward(int replicas, DocumentChunks[] upserts, string[] deletes)
    {
        if (replicas <= 1)
        {
            return;
        }

        var sequence = ++_sequence;
        var sends = Replicas(replicas).Select(async pair =>
        {
            try
            {
                await pair.Grain.Apply(_epoch, sequence, upserts, deletes).WaitAsync(indexing.Value.ReplicaApplyTimeout);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Replica {Replica} did not apply write {Sequence} of shard {Shard}; marked stale, it reloads from storage before it serves",
                    pair.Grain.GetPrimaryKeyString(), sequence, StoreKey);
                await store.MarkStale(StoreKey, pair.Replica, $"{_epoch}:{sequence}");
            }
        });
        await Task.WhenAll(sends);
    }

    /// <summary>
    /// The contents to serve from: a replica marked stale reloads first (one reload however many reads
    /// wait for it). Replica 0 stores every write itself and is never marked.
    /// </summary>
    private async ValueTask<ShardContents> Fresh()
    {
        var replica = IndexKey.ParseReplica(Key).Replica;
        if (replica == 0 || await store.StaleMark(StoreKey, replica) is null)
        {
            return _contents;
        }

        await _applying.WaitAsync();
        try
        {
            // Read again under the lock: a read that waited here may find the reload already done.
            if (await store.StaleMark(StoreKey, replica) is { } mark)
            {
                await Load();
                _appliedEpoch = ReloadedEpoch;
                await store.ClearStale(StoreKey, replica, mark);
            }
        }
        finally
        {
            _applying.Release();
        }

        return _contents;
    }

    private IEnumerable<(int Replica, IShardGrain Grain)> Replicas(int replicas)
    {
        var shardKey = StoreKey;
        var separator = shardKey.LastIndexOf('/');
        var shard = int.Parse(shardKey[(separator + 1)..]);
        return Enumerable.Range(1, Math.Max(0, replicas - 1))
            .Select(r => (r, GrainFactory.GetGrain<IShardGrain>(IndexKey.Replica(shardKey[..separator], shard, r))));
    }

    private async Task Load()
    {
        try
        {
            // Swapped in whole: a search interleaved with the reload sees the old contents or the new. Both indexes,
            // vector and BM25, are rebuilt from the stored chunks (README, "Stage 1": the cost at 50k chunks).
            var documents = await store.Load(StoreKey);
            var loaded = new ShardContents(indexing.Value.AnnMinChunks, indexing.Value.AnnExpansionSearch);
            loaded.Upsert(documents);
            var previous = _contents;
            _contents = loaded;
            previous.Dispose();
        }
        catch (StoredDocumentsCorruptException ex)
        {
            // The activation fails (every call answers this error) rather than serve part of the shard.
            logger.LogError("Shard {Shard} refuses to activate: stored documents {DocumentIds} cannot be decoded. {Reason}",
                Key, ex.DocumentIds, ex.Message);
            throw;
        }
    }
}
