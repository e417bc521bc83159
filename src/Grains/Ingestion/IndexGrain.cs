using Microsoft.Extensions.Options;
using RerankCluster.Grains.Interfaces;
using RerankCluster.Grains.Models;
using RerankCluster.Grains.Options;
using RerankCluster.Grains.Placement;
using RerankCluster.Grains.Querying;
using RerankCluster.Retrieval;

namespace RerankCluster.Grains.Ingestion;

[GenerateSerializer]
public sealed class IndexState
{
    [Id(0)] public int Shards { get; set; }

    [Id(1)] public DateTimeOffset CreatedAt { get; set; }

    [Id(2)] public string? BiEncoder { get; set; }

    [Id(3)] public string? CrossEncoder { get; set; }

    /// <summary>0 in indexes created before replicas existed: one copy.</summary>
    [Id(4)] public int Replicas { get; set; }

    /// <summary>The index's default stage-1 mode; null (and in indexes created before it existed): Stage1:Mode.</summary>
    [Id(5)] public Stage1Mode? Stage1 { get; set; }
}

public sealed class IndexGrain(
    [PersistentState("index", RerankStorage.Indexes)] IPersistentState<IndexState> state,
    IOptions<IndexingOptions> indexing,
    ModelCatalog models,
    ShardSiloDirectory shardSilos) : Grain, IIndexGrain
{
    private string Key => this.GetPrimaryKeyString();

    private IQuotaGrain Quota => GrainFactory.GetGrain<IQuotaGrain>(IndexKey.Parse(Key).Tenant);

    private bool Exists => state.RecordExists && state.State.Shards > 0;

    public async Task<IndexInfo> Create(IndexSettings settings)
    {
        var max = indexing.Value.MaxShards;
        var shards = settings.Shards == IndexSettings.DefaultShards ? indexing.Value.DefaultShards : settings.Shards;
        if (shards < 1 || shards > max)
        {
            throw new InvalidRequestException($"shards must be between 1 and {max} (got {settings.Shards}).");
        }

        var maxReplicas = indexing.Value.MaxReplicas;
        if (settings.Replicas < 0 || settings.Replicas > maxReplicas)
        {
            throw new InvalidRequestException($"replicas must be between 1 and {maxReplicas} (Indexing:MaxReplicas) (got {settings.Replicas}).");
        }

        var replicas = settings.Replicas == IndexSettings.DefaultReplicas
            ? Math.Clamp(shardSilos.Count(), 1, indexing.Value.DefaultReplicas)
            : settings.Replicas;
        var biEncoder = models.BiEncoderName(settings.BiEncoder);
        var crossEncoder = models.CrossEncoderName(settings.CrossEncoder);
        if (Exists)
        {
            if (settings.Replicas != IndexSettings.DefaultReplicas && Replicas != replicas)
            {
                throw new ConflictException(
                    $"Index '{IndexKey.Parse(Key).Index}' already exists with {Replicas} replicas; delete it first to change them.");
            }

            if (settings.Shards != IndexSettings.DefaultShards && state.State.Shards != shards)
            {
                throw new ConflictException(
                    $"Index '{IndexKey.Parse(Key).Index}' already exists with {state.State.Shards} shards; delete it first to change the shard count.");
            }

            if ((settings.BiEncoder is not null && biEncoder != Info().BiEncoder) || (settings.CrossEncoder is not null && crossEncoder != Info().CrossEncoder))
            {
                throw new ConflictException(
                    $"Index '{IndexKey.Parse(Key).Index}' already exists with bi_encoder '{Info().BiEncoder}' and cross_encoder '{Info().CrossEncoder}'; delete it first to change them.");
            }

            if (settings.Stage1 is not null && settings.Stage1 != state.State.Stage1)
            {
                throw new ConflictException(
                    $"Index '{IndexKey.Parse(Key).Index}' already exists with stage1 '{(state.State.Stage1 is { } mode ? Stage1Names.Of(mode) : "unset")}'; delete it first to change it.");
            }

            return Info();
        }

        await Quota.ReserveIndex(IndexKey.Parse(Key).Index);
        state.State = new IndexState
        {
            Shards = shards, CreatedAt = DateTimeOffset.UtcNow, BiEncoder = biEncoder, CrossEncoder = crossEncoder, Replicas = replicas,
            Stage1 = settings.Stage1,
        };
        await state.WriteStateAsync();
        return Info();
    }

    public Task<IndexInfo?> Get() => Task.FromResult(Exists ? Info() : null);

    public async Task<bool> Delete()
    {
        if (!Exists)
        {
            return false;
        }

        var documents = (await Stats()).Sum(shard => (long)shard.Documents);
        await Task.WhenAll(Shards().Select(shard => shard.Drop(Replicas)));
        await state.ClearStateAsync();
        await Quota.ReleaseIndex(IndexKey.Parse(Key).Index, documents);
        return true;
    }

    public async Task<bool> DeleteDocument(string documentId)
    {
        RequireExists();
        DocumentValidation.RequireId(documentId);
        var shard = Shards()[ShardRouter.ShardOf(documentId, state.State.Shards)];
        var deleted = await shard.Delete([documentId], Replicas);
        await Quota.ReleaseDocuments(deleted);
        return deleted > 0;
    }

    /// <summary>Each shard's counts from any of its replicas (hedged, as searches are): a dead silo does not hide a shard.</summary>
    public async Task<ShardStats[]> Stats()
    {
        RequireExists();
        return await Task.WhenAll(Enumerable.Range(0, state.State.Shards).Select(i => HedgedRead.First(Replicas,
            r => GrainFactory.GetGrain<IShardGrain>(IndexKey.Replica(Key, i, r)).Stats(), indexing.Value.ShardHedgeDelay)));
    }

    private int Replicas => Math.Max(1, state.State.Replicas);

    private void RequireExists()
    {
        if (!Exists)
        {
            throw new NotFoundException($"Index '{IndexKey.Parse(Key).Index}' does not exist.");
        }
    }

    private IShardGrain[] Shards() =>
        Enumerable.Range(0, state.State.Shards)
            .Select(i => GrainFactory.GetGrain<IShardGrain>(IndexKey.Shard(Key, i)))
            .ToArray();

    private IndexInfo Info()
    {
        var (tenant, index) = IndexKey.Parse(Key);
        return new IndexInfo(tenant, index, state.State.Shards, state.State.CreatedAt,
            state.State.BiEncoder ?? models.DefaultBiEncoder, state.State.CrossEncoder ?? models.DefaultCrossEncoder, Replicas, state.State.Stage1);
    }
}
