namespace RerankCluster.Grains.Storage;

/// <summary>What a write must reach before a shard acknowledges it (<c>Storage:Durability</c>).</summary>
public enum StorageDurability
{
    /// <summary>Whatever the server is configured to do; with <c>appendfsync everysec</c> a host crash loses up to a second of acknowledged writes.</summary>
    Default,

    /// <summary>The server must run <c>appendonly yes</c> with <c>appendfsync always</c>: each write is fsynced before Redis replies. Checked at start-up.</summary>
    Fsync,

    /// <summary>After each write, <c>WAIT Storage:Replicas Storage:ReplicaTimeout</c>: acknowledged only once that many replicas have it.</summary>
    Replicas,
}
