using System.Net;
using System.Net.Sockets;

namespace SkMemory.Tests;

/// <summary>Free TCP ports of 127.0.0.1 for test servers, and for unreachable-server tests.</summary>
public static class TestPorts
{
    /// <summary>
    /// A port nothing listened on a moment ago: bound to port 0 and released at once. Another process may take it before
    /// the caller binds it (a caller that binds may retry); nothing will be listening on it for a connection test.
    /// </summary>
    /// <returns>The port.</returns>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
