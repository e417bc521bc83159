using System.Security.Cryptography;

namespace RerankCluster.Inference.Models;

/// <summary>
/// The SHA-256 of the file a cached model was built from, kept beside it: a cached copy is only reused
/// while its source is byte for byte the one it was built from.
/// </summary>
public static class SourceStamp
{
    public static string Of(string sourcePath) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(sourcePath)));

    /// <summary>True when <paramref name="builtFile"/> exists and the stamp beside it is <paramref name="stamp"/>.</summary>
    public static bool IsCurrent(string builtFile, string stampFile, string stamp) =>
        File.Exists(builtFile) && File.Exists(stampFile) && File.ReadAllText(stampFile).Trim() == stamp;

    public static void Write(string stampFile, string stamp) => AtomicFile.WriteText(stampFile, stamp + "\n");
}
