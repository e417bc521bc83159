namespace RerankCluster.Grains.Interfaces;

/// <summary>
/// A failure whose message is meant for the caller. Grains throw the subclasses across Orleans; the
/// gateway maps each one to an HTTP status in one place (GatewayErrors). Only the message travels:
/// causes stay in the log of the process that raised it.
/// </summary>
[GenerateSerializer]
public abstract class RerankException : Exception
{
    protected RerankException(string message)
        : base(message)
    {
    }
}
