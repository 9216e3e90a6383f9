using System.Net;
using System.Net.Sockets;

namespace SupplyChainWatch.Api.Tests.Infrastructure;

public static class FreePort
{
    /// <summary>A loopback port nobody listens on right now (two silos on one port do not fail on Linux: pick fresh ones).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
