namespace RerankCluster.Grains.Interfaces;

/// <summary>
/// Stored shard contents that cannot be decoded (a truncated or corrupt record). The shard refuses to
/// activate rather than serve part of its documents; <see cref="DocumentIds"/> names the broken ones.
/// </summary>
[GenerateSerializer]
public sealed class StoredDocumentsCorruptException(string[] documentIds, string message) : RerankException(message)
{
    [Id(0)]
    public string[] DocumentIds { get; } = documentIds;
}
