namespace RerankCluster.Configuration;

/// <summary>An options class that can list its own problems, each naming the setting at fault.</summary>
public interface ISelfValidatingOptions
{
    IEnumerable<string> Validate();
}
