using Orleans;
using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Storage;

/// <summary>
/// Every grain call on a silo: a storage outage (Redis down, grain state unreadable or unwritable)
/// leaves as <see cref="StorageUnavailableException"/>, which the gateway answers with 503 and
/// Retry-After, instead of an exception the caller cannot even deserialise.
/// </summary>
public sealed class StorageFaultFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception ex) when (ex is not StorageUnavailableException && StorageFaults.IsStorageFault(ex))
        {
            throw StorageFaults.Unavailable(ex);
        }
    }
}
