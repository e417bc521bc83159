using RerankCluster.Grains.Interfaces;
using StackExchange.Redis;

namespace RerankCluster.Grains.Storage;

/// <summary>Recognises a storage outage in an exception chain and turns it into <see cref="StorageUnavailableException"/>.</summary>
public static class StorageFaults
{
    // Orleans' Redis providers wrap the client's exceptions in their own, named after Redis; its Redis grain
    // directory passes them on as text only (StorageUnavailableException.In).
    public static bool IsStorageFault(Exception? exception) => exception is not null && (StorageUnavailableException.In(exception) is not null ||
        ExceptionChain.Of(exception).Any(e => e is RedisException || e.GetType().Name.Contains("Redis", StringComparison.Ordinal)));

    public static Task Guard(Func<Task> operation) => Guard(async () =>
    {
        await operation();
        return true;
    });

    public static async Task<T> Guard<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception ex) when (ex is not StorageUnavailableException && IsStorageFault(ex))
        {
            throw Unavailable(ex);
        }
    }

    /// <summary>
    /// Only a message travels: the storage client's exception types have no codec on the other side, and
    /// their messages name internal addresses that callers have no business seeing.
    /// </summary>
    public static StorageUnavailableException Unavailable(Exception cause) =>
        new($"{StorageUnavailableException.DefaultMessage} ({cause.GetType().Name})");
}
