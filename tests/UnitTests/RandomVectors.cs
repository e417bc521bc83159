using RerankCluster.Inference;

namespace RerankCluster.UnitTests;

/// <summary>Seeded random unit vectors for the vector index tests.</summary>
public static class RandomVectors
{
    public static float[] Unit(Random random, int dimension)
    {
        var vector = Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        VectorMath.Normalize(vector);
        return vector;
    }
}
