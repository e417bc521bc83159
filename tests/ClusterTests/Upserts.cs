using RerankCluster.Grains.Interfaces;

namespace RerankCluster.ClusterTests;

/// <summary>Upserts through an ingest job, as the gateway does, followed until the job has finished.</summary>
public static class Upserts
{
    public static async Task<IngestJobStatus> Upsert(this IGrainFactory grains, string indexKey, DocumentInput[] documents)
    {
        var job = grains.GetGrain<IIngestJobGrain>(IngestJobKey.For(indexKey, IngestJobKey.NewId()));
        var status = await job.Start(documents);
        while (!status.Finished)
        {
            status = await job.Wait(TimeSpan.FromSeconds(5));
        }

        Assert.True(status.State == IngestJobState.Succeeded, string.Join("; ", status.Errors));
        return status;
    }
}
