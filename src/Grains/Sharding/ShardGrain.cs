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
/// half-applied history. Searches go to any replica.
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

    private string Key => this.GetPrimaryKeyString();

    /// <summary>Every replica of a shard reads and (replica 0) writes the shard's one stored copy.</summary>
    private string StoreKey => IndexKey.ParseReplica(Key).ShardKey;

    public override async Task OnActivateAsync(CancellationToken cancellationToken) => await Load();

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _contents.Dispose();
        return Task.CompletedTask;
    }

    public async Task<int> Upsert(DocumentChunks[] documents, int replicas)
    {
        // Stored first: the caller is told "stored" only once the store has it.
        await store.Upsert(StoreKey, documents);
        var existed = _contents.Upsert(documents);
        await Forward(replicas, documents, []);
        return existed;
    }

    public async Task<int> Delete(string[] documentIds, int replicas)
    {
        await store.Delete(StoreKey, documentIds);
        var deleted = documentIds.Count(_contents.Remove);
        await Forward(replicas, [], documentIds);
        return deleted;
    }

    public async Task Apply(string epoch, long sequence, DocumentChunks[] upserts, string[] deletes)
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

    public Task<string[]> Existing(string[] documentIds) => Task.FromResult(documentIds.Where(_contents.Contains).ToArray());

    public Task<DocumentChunks?> Get(string documentId) => Task.FromResult(_contents.Get(documentId));

    public Task<ShardHits> Search(ShardQuery query) => Task.FromResult(_contents.Search(query));

    public Task<LexicalCounts> LexicalStatistics(string text) => Task.FromResult(_contents.LexicalStatistics(text));

    public Task<ShardStats> Stats()
    {
        var shardKey = StoreKey;
        var shard = int.Parse(shardKey[(shardKey.LastIndexOf('/') + 1)..]);
        return Task.FromResult(new ShardStats(shard, _contents.Documents, _contents.Chunks, silo.SiloAddress.ToParsableString()));
    }

    public async Task Drop(int replicas)
    {
        await store.Drop(StoreKey);
        await Task.WhenAll(Replicas(replicas).Select(replica => replica.Forget()));
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
    /// in time is logged and left: its next write shows it the gap and it reloads, and one whose silo died
    /// loads the store afresh where it is reactivated.
    /// </summary>
    private async Task Forward(int replicas, DocumentChunks[] upserts, string[] deletes)
    {
        if (replicas <= 1)
        {
            return;
        }

        var sequence = ++_sequence;
        var sends = Replicas(replicas).Select(async replica =>
        {
            try
            {
                await replica.Apply(_epoch, sequence, upserts, deletes).WaitAsync(indexing.Value.ReplicaApplyTimeout);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Replica {Replica} did not apply write {Sequence} of shard {Shard}; it reloads from storage on its next write",
                    replica.GetPrimaryKeyString(), sequence, StoreKey);
            }
        });
        await Task.WhenAll(sends);
    }

    private IEnumerable<IShardGrain> Replicas(int replicas)
    {
        var shardKey = StoreKey;
        var separator = shardKey.LastIndexOf('/');
        var shard = int.Parse(shardKey[(separator + 1)..]);
        return Enumerable.Range(1, Math.Max(0, replicas - 1))
            .Select(r => GrainFactory.GetGrain<IShardGrain>(IndexKey.Replica(shardKey[..separator], shard, r)));
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
