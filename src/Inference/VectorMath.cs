using System.Numerics;

namespace RerankCluster.Inference;

/// <summary>Dense-vector arithmetic shared by embedding and search.</summary>
public static class VectorMath
{
    /// <summary>Divides by <paramref name="divisor"/>, then scales to unit length.</summary>
    public static void Normalize(Span<float> vector, float divisor = 1f)
    {
        double norm = 0;
        foreach (var v in vector)
        {
            var x = v / divisor;
            norm += x * x;
        }

        var scale = norm > 0 ? (float)(1.0 / (divisor * Math.Sqrt(norm))) : 0f;
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }
    }

    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var width = Vector<float>.Count;
        var acc = Vector<float>.Zero;
        var i = 0;
        for (; i <= a.Length - width; i += width)
        {
            acc += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
        }

        var sum = Vector.Sum(acc);
        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    public static float Norm(ReadOnlySpan<float> vector) => MathF.Sqrt(Dot(vector, vector));
}
