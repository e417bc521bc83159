namespace RerankCluster.Grains.Options;

public enum RerankFailureMode
{
    /// <summary>The search fails with the reason (a timeout answers 504).</summary>
    Fail,

    /// <summary>The search answers its stage-1 candidates in bi-encoder order, marked as degraded.</summary>
    Stage1Order,
}
