using SkMemory.Governance.Retention;

namespace SkMemory.Inspector;

/// <summary>What the Memory Inspector shows and where: the store, the layers every request goes through, the path.</summary>
public sealed class InspectorOptions
{
    /// <summary>
    /// Gets the canonical store, not yet governed. It must keep API keys (<see cref="IMemoryApiKeyStore"/>) and an audit log;
    /// every request runs through access control as the signed-in key's caller.
    /// </summary>
    public required IMemoryStore Store { get; init; }

    /// <summary>Gets the layers added after access control, as for the MCP server, for example <c>b =&gt; b.UseRedaction(...)</c>.</summary>
    public Func<MemoryStoreBuilder, MemoryStoreBuilder>? ConfigureStore { get; init; }

    /// <summary>Gets the path the pages live under. Default <c>/inspector</c>.</summary>
    public string PathBase { get; init; } = "/inspector";

    /// <summary>Gets the retention policy the subject page explains. Default: <see cref="MemoryRetentionPolicy.CreateDefault"/>.</summary>
    public MemoryRetentionPolicy? RetentionPolicy { get; init; }

    /// <summary>Gets how long a sign-in lasts. Default 8 hours; a revoked key ends it at once whatever this says.</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(8);

    /// <summary>Gets the memories per page when browsing. Default 25.</summary>
    public int PageSize { get; init; } = 25;

    /// <summary>Gets the clock. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
