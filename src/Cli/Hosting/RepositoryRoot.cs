namespace RerankCluster.Cli.Hosting;

/// <summary>The checkout this build came from: the folder above the binaries that holds RerankCluster.sln.</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "RerankCluster.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("RerankCluster.sln was not found above the binaries or the working directory: run this from a checkout.");
    }
}
