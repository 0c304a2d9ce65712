namespace SkMemory.Evals.Suite;

/// <summary>
/// One synthetic user: who they are, their sessions with the agents, the memories a careful memory layer keeps from them,
/// what was planted to tempt it (transient noise, secrets, poisoning), what changes over time, and the tasks the agents run.
/// </summary>
public sealed record EvalUser
{
    /// <summary>Gets the user's id, unique within the suite (e.g. <c>u007</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the tenant the user belongs to (a run prefixes it, so runs never collide).</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the subject id the memories are about.</summary>
    public required string Subject { get; init; }

    /// <summary>Gets the user's first name, as the user turns' speaker.</summary>
    public required string Name { get; init; }

    /// <summary>Gets what the user tests, in a few words (hard cases say which trap they set).</summary>
    public string? Description { get; init; }

    /// <summary>Gets the agents the user talks to (e.g. <c>shopping</c>, <c>support</c>, <c>travel</c>).</summary>
    public required IReadOnlyList<string> Agents { get; init; }

    /// <summary>Gets the sessions, in time order.</summary>
    public required IReadOnlyList<EvalSession> Sessions { get; init; }

    /// <summary>Gets the durable memories expected from the sessions.</summary>
    public required IReadOnlyList<EvalExpectedMemory> Memories { get; init; }

    /// <summary>Gets the planted turns: transient noise, speculation, hypotheticals, secrets and poisoning attempts.</summary>
    public IReadOnlyList<EvalPlant> Plants { get; init; } = [];

    /// <summary>Gets the changes over time (supersede, consent revoked, deletion, purge, expiry).</summary>
    public IReadOnlyList<EvalChange> Changes { get; init; } = [];

    /// <summary>Gets the tasks the agents run for the user.</summary>
    public required IReadOnlyList<EvalTask> Tasks { get; init; }
}
