namespace RerankCluster.Inference.Models;

/// <summary>
/// A model directory the project makes itself in the model cache (extracted, derived, converted): made once,
/// and again only when the stamp of its source changes. A build fills a fresh sibling directory that is then
/// moved into place whole, so a reader, or a second process making the same model, never opens half a model.
/// </summary>
/// <param name="stampFile">The file in the directory that holds the stamp of its source; null: made once, never stale.</param>
/// <param name="requiredFiles">What a directory must hold to count as made.</param>
public sealed class StampedModelCache(string? stampFile, params string[] requiredFiles)
{
    private readonly object _gate = new();

    /// <summary>Opens <paramref name="directory"/> as <paramref name="name"/>, first making it with <paramref name="build"/> unless it is current.</summary>
    /// <param name="build">Fills the empty directory it is given.</param>
    /// <param name="stamp">The source's stamp (<see cref="SourceStamp.Of"/>), when this cache has a stamp file.</param>
    public ModelFiles Ensure(string directory, string name, Action<string> build, string? stamp = null)
    {
        lock (_gate)
        {
            if (!IsCurrent(directory, stamp))
            {
                Make(directory, build, stamp);
            }
        }

        return ModelFiles.Open(directory, name);
    }

    private bool IsCurrent(string directory, string? stamp) =>
        requiredFiles.All(file => File.Exists(Path.Combine(directory, file))) &&
        (stampFile is null || (File.Exists(Path.Combine(directory, stampFile)) && File.ReadAllText(Path.Combine(directory, stampFile)).Trim() == stamp));

    private void Make(string directory, Action<string> build, string? stamp)
    {
        var built = Sibling(directory, "tmp");
        Directory.CreateDirectory(built);
        try
        {
            build(built);
            if (stampFile is not null)
            {
                AtomicFile.WriteText(Path.Combine(built, stampFile), stamp + "\n");
            }

            MoveIntoPlace(built, directory);
        }
        catch (IOException) when (IsCurrent(directory, stamp))
        {
            // Another process moved in the same model first.
        }
        finally
        {
            if (Directory.Exists(built))
            {
                Directory.Delete(built, recursive: true);
            }
        }
    }

    /// <summary>A stale directory is renamed aside rather than deleted first, so the moment with no model in place is two renames long.</summary>
    private static void MoveIntoPlace(string built, string directory)
    {
        if (!Directory.Exists(directory))
        {
            Directory.Move(built, directory);
            return;
        }

        var stale = Sibling(directory, "stale");
        Directory.Move(directory, stale);
        try
        {
            Directory.Move(built, directory);
        }
        finally
        {
            Directory.Delete(stale, recursive: true);
        }
    }

    private static string Sibling(string directory, string kind) =>
        $"{Path.TrimEndingDirectorySeparator(directory)}.{Environment.ProcessId}.{Guid.NewGuid():N}.{kind}";
}
