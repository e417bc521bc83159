using System.Net;
using System.Net.Sockets;

namespace RerankCluster.Silo.Hosting;

/// <summary>Ports for the single-machine clusters (demo, eval, bench, tests), so that several run side by side.</summary>
public static class LoopbackPorts
{
    /// <summary>A loopback port the OS reports free (it may be taken again before the caller binds it).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
