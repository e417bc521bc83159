namespace RerankCluster.Retrieval;

/// <summary>
/// A chunk's key where scores tie: one total order, the same in every shard's top k and in the merge, so a
/// merge over shards picks the same chunks at a tie as one shard holding everything (ids hold no control
/// characters, so the separator cannot occur in one; UTF-8 byte order, Lucene's, is ordinal order for them
/// outside the surrogate range).
/// </summary>
public static class ChunkKey
{
    public static string Of(string documentId, int chunkIndex) => $"{documentId}\u0000{chunkIndex}";
}
