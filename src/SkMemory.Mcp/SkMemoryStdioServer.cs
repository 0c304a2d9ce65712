using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Server;
using SkMemory.Mcp.Tools;

namespace SkMemory.Mcp;

/// <summary>Serves SkMemory's MCP tools over a pair of streams (stdio) as one fixed caller.</summary>
public static class SkMemoryStdioServer
{
    /// <summary>
    /// Serves MCP on the streams as one fixed caller until the input ends or the token is cancelled. Nothing else may
    /// write to <paramref name="output"/>; logs go to <paramref name="loggerFactory"/> only. Background ingestion runs
    /// started by the client are awaited before this returns (cancelled with the token).
    /// </summary>
    /// <param name="store">The canonical store, not yet governed: access control as <paramref name="caller"/> is added here.</param>
    /// <param name="caller">The caller every tool call runs as.</param>
    /// <param name="input">The stream the client writes JSON-RPC messages to (stdin).</param>
    /// <param name="output">The stream the server answers on (stdout).</param>
    /// <param name="options">The MCP options; defaults when null.</param>
    /// <param name="configureStore">Layers added after access control, for example redaction.</param>
    /// <param name="loggerFactory">The logger factory; it must not write to <paramref name="output"/>.</param>
    /// <param name="cancellationToken">Stops the server.</param>
    /// <returns>A task that completes when the input ends or the token is cancelled.</returns>
    public static async Task RunAsync(
        IMemoryStore store,
        MemoryCaller caller,
        Stream input,
        Stream output,
        SkMemoryMcpOptions? options = null,
        Func<MemoryStoreBuilder, MemoryStoreBuilder>? configureStore = null,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        options ??= new SkMemoryMcpOptions();
        loggerFactory = new ProtocolLogFilter(loggerFactory ?? NullLoggerFactory.Instance);
        var identity = new ToolCaller(caller, null);
        var host = new MemoryToolHost(store, options, configureStore, loggerFactory, _ => identity);
        await using (host.ConfigureAwait(false))
        {
            var serverOptions = new McpServerOptions();
            MemoryMcpServer.Configure(serverOptions, options, host);
            var transport = new StreamServerTransport(input, output, options.ServerName, loggerFactory);
            await using (transport.ConfigureAwait(false))
            {
                var server = McpServer.Create(transport, serverOptions, loggerFactory);
                await using (server.ConfigureAwait(false))
                {
                    try
                    {
                        await server.RunAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        // Stopping by the token is the normal end.
                    }
                }
            }

            await host.DrainAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
