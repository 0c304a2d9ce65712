namespace SkMemory.AgentFramework;

/// <summary>
/// What an agent recalls before each run: the tenant, the subject whose memories are searched, the scope kinds, and
/// optionally one agent's or the current session's memories only.
/// </summary>
/// <remarks>
/// Set by the developer in <see cref="SkMemoryContextProviderOptions.Search"/>; the model never chooses it. It is separate
/// from <see cref="AgentMemoryStorageScope"/>: an agent can, for example, write personal memories narrowed to itself and
/// recall the subject's personal memories of every agent plus the tenant's public knowledge.
/// </remarks>
public sealed record AgentMemorySearchScope
{
    /// <summary>Gets the tenant searched.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the subject whose memories are recalled.</summary>
    public required string Subject { get; init; }

    /// <summary>Gets the scope kinds searched, or <see langword="null"/> for every kind the reader may see.</summary>
    public IReadOnlyList<MemoryScopeKind>? ScopeKinds { get; init; }

    /// <summary>Gets the agent whose memories are recalled, or <see langword="null"/> for memories of any agent.</summary>
    public string? Agent { get; init; }

    /// <summary>Gets a value indicating whether only memories narrowed to the current agent session are recalled. Off by default.</summary>
    public bool NarrowToSession { get; init; }
}
