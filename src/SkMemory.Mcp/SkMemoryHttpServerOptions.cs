using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace SkMemory.Mcp;

/// <summary>What <see cref="SkMemoryHttpServer"/> serves, where, and how.</summary>
public sealed class SkMemoryHttpServerOptions
{
    /// <summary>Gets the canonical store, not yet governed: the server adds access control per request, as the caller its API key names.</summary>
    public required IMemoryStore Store { get; init; }

    /// <summary>Gets the address Kestrel listens on: an IP address or <c>localhost</c>. Default <c>127.0.0.1</c>.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Gets the port; 0 picks a free one (read it from <see cref="SkMemoryHttpServer.BaseAddress"/>). Default 8765.</summary>
    public int Port { get; init; } = 8765;

    /// <summary>Gets the MCP options (server name, request size limit, default token budget).</summary>
    public SkMemoryMcpOptions Mcp { get; init; } = new();

    /// <summary>Gets the layers added after access control, for example <c>b =&gt; b.UseRedaction(...)</c>.</summary>
    public Func<MemoryStoreBuilder, MemoryStoreBuilder>? ConfigureStore { get; init; }

    /// <summary>Gets the logger factory; no logging when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Gets a callback that adds endpoints to the application before it starts (the Inspector, for example).</summary>
    public Action<WebApplication>? ConfigureApp { get; init; }
}
