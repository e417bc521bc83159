namespace RerankCluster.Inference;

/// <summary>The numeric precision a model runs in; the int8 copies are made once, in C#, into the model cache.</summary>
public enum ModelPrecision
{
    Fp32,

    /// <summary>
    /// Int8 for CPU silos with VNNI, accuracy first: smoothed activations, per-tensor dynamic int8 for most
    /// MatMuls and per-block int8 for the feed-forward down-projections.
    /// </summary>
    Int8,

    /// <summary>Int8, speed first: smoothed activations and per-tensor dynamic int8 for every MatMul.</summary>
    Int8Dynamic,

    /// <summary>
    /// fp16 weights and MatMuls for the CUDA execution provider (LayerNorm, softmax and the output stay
    /// fp32); on the CPU it runs, slowly, and is for checking only.
    /// </summary>
    Fp16,
}
