using System.Numerics.Tensors;

namespace RerankCluster.Inference;

/// <summary>Turns pooled encoder outputs into unit vectors, so that a dot product is their cosine.</summary>
public static class VectorMath
{
    /// <summary>Scales to unit length (a mean and a sum of the same vectors give the same result); a zero vector stays zero.</summary>
    public static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        TensorPrimitives.Multiply(vector, norm > 0 ? 1f / norm : 0f, vector);
    }
}
