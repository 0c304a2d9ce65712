namespace SkMemory.AgentFramework;

/// <summary>
/// Where an agent's captured memories are written: the tenant, the subject they are about, and the scope (personal,
/// team or public, optionally narrowed to one agent, and to the session when <see cref="NarrowToSession"/> is set).
/// </summary>
/// <remarks>Set by the developer in <see cref="SkMemoryContextProviderOptions.Storage"/>; the model never chooses it.</remarks>
public sealed record AgentMemoryStorageScope
{
    /// <summary>Gets the tenant the memories are written in.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the subject the memories are about (the user the agent serves).</summary>
    public required string Subject { get; init; }

    /// <summary>
    /// Gets the scope the memories are written in; personal by default. Its <see cref="MemoryScope.Agent"/> narrows them to
    /// one agent. Leave <see cref="MemoryScope.Session"/> unset: the session comes from the agent session
    /// (see <see cref="NarrowToSession"/>).
    /// </summary>
    public MemoryScope Scope { get; init; } = MemoryScope.Personal;

    /// <summary>
    /// Gets a value indicating whether captured memories are narrowed to the agent session they were said in. Off by
    /// default: long-term memories are meant to be recalled in later sessions.
    /// </summary>
    public bool NarrowToSession { get; init; }
}
