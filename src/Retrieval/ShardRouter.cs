using System.IO.Hashing;
using System.Text;

namespace RerankCluster.Retrieval;

/// <summary>
/// Assigns documents to shards by a stable hash of their id (XxHash64 of the UTF-8 bytes): the same id
/// lands on the same shard in every process and after every restart, so a re-upsert replaces.
/// </summary>
public static class ShardRouter
{
    public static int ShardOf(string documentId, int shardCount)
    {
        if (shardCount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shardCount), "An index has at least one shard.");
        }

        var hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(documentId));
        return (int)(hash % (ulong)shardCount);
    }
}
