using Microsoft.Extensions.Logging;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Placement;
using RerankCluster.Grains.Storage;

namespace RerankCluster.Grains.Sharding;

[ShardSpreadPlacement]
public sealed class ShardGrain(IShardStore store, ILocalSiloDetails silo, ILogger<ShardGrain> logger) : Grain, IShardGrain
{
    private readonly ShardContents _contents = new();

    private string Key => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        try
        {
            _contents.Upsert(await store.Load(Key));
        }
        catch (StoredDocumentsCorruptException ex)
        {
            // The activation fails (every call answers this error) rather than serve part of the shard.
            logger.LogError("Shard {Shard} refuses to activate: stored documents {DocumentIds} cannot be decoded. {Reason}",
                Key, ex.DocumentIds, ex.Message);
            throw;
        }
    }

    public async Task<int> Upsert(DocumentChunks[] documents)
    {
        // Stored first: the caller is told "stored" only once the store has it.
        await store.Upsert(Key, documents);
        return _contents.Upsert(documents);
    }

    public async Task<int> Delete(string[] documentIds)
    {
        await store.Delete(Key, documentIds);
        return documentIds.Count(_contents.Remove);
    }

    public Task<string[]> Existing(string[] documentIds) => Task.FromResult(documentIds.Where(_contents.Contains).ToArray());

    public Task<ShardHit[]> Search(float[] query, int k) => Task.FromResult(_contents.Search(query, k));

    public Task<ShardStats> Stats()
    {
        var shard = int.Parse(Key[(Key.LastIndexOf('/') + 1)..]);
        return Task.FromResult(new ShardStats(shard, _contents.Documents, _contents.Chunks, silo.SiloAddress.ToParsableString()));
    }

    public async Task Drop()
    {
        await store.Drop(Key);
        _contents.Clear();
        DeactivateOnIdle();
    }
}
