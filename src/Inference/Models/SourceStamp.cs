using System.Security.Cryptography;

namespace RerankCluster.Inference.Models;

/// <summary>
/// The SHA-256 of the file a cached model was built from, kept beside it (<see cref="StampedModelCache"/>):
/// a cached copy is only reused while its source is byte for byte the one it was built from.
/// </summary>
public static class SourceStamp
{
    public static string Of(string sourcePath) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(sourcePath)));
}
