namespace RerankCluster.Inference;

public enum ModelPrecision
{
    Fp32,
    Int8,
}
