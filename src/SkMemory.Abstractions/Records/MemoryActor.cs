namespace SkMemory;

/// <summary>Who performed a change: a user, agent, tool, import, system or service, with its id.</summary>
/// <param name="Kind">The kind of actor.</param>
/// <param name="Id">The actor's id, as known at the edge (user id, agent name, tool name...).</param>
public sealed record MemoryActor(MemoryActorKind Kind, string Id)
{
    /// <summary>Gets the actor used for changes made by the memory system itself.</summary>
    public static MemoryActor System { get; } = new(MemoryActorKind.System, "skmemory");

    /// <summary>Creates a user actor.</summary>
    /// <param name="id">The user id.</param>
    /// <returns>The actor.</returns>
    public static MemoryActor User(string id) => new(MemoryActorKind.User, id);

    /// <summary>Creates an agent actor.</summary>
    /// <param name="id">The agent id.</param>
    /// <returns>The actor.</returns>
    public static MemoryActor Agent(string id) => new(MemoryActorKind.Agent, id);

    /// <inheritdoc />
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}:{Id}";
}
