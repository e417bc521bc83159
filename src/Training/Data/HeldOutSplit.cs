using System.Security.Cryptography;
using System.Text;

namespace RerankCluster.Training.Data;

/// <summary>
/// A fixed split by key: the same key lands on the same side on every machine and every run, so a
/// held-out package is never trained on, whatever else changes in the index.
/// </summary>
public static class HeldOutSplit
{
    public static bool IsHeldOut(string key, double fraction)
    {
        if (fraction is < 0 or > 1 || double.IsNaN(fraction))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), "The held-out fraction must be between 0 and 1.");
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        var position = BitConverter.ToUInt64(hash[..8]) / (double)ulong.MaxValue;
        return position < fraction;
    }
}
