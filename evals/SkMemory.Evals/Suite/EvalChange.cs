namespace SkMemory.Evals.Suite;

/// <summary>
/// A change over time to a memory: a new value supersedes it (through capture), the user revokes consent, asks to forget
/// it (delete) or erase it (purge), or it expires. After the change, the old value must stop being returned.
/// </summary>
public sealed record EvalChange
{
    /// <summary>A later statement supersedes the memory; capture does it, the runner only checks.</summary>
    public const string Supersede = "supersede";

    /// <summary>The user revokes consent for personal memories; every one of them must disappear from retrieval.</summary>
    public const string ConsentRevoked = "consent_revoked";

    /// <summary>The user asks the agent to forget the memory: the agent deletes it.</summary>
    public const string Delete = "delete";

    /// <summary>The user asks to erase the memory: it is purged, content and all.</summary>
    public const string Purge = "purge";

    /// <summary>The memory's time is over: the retention service expires it.</summary>
    public const string Expire = "expire";

    /// <summary>Gets the id, unique within the user (e.g. <c>c1</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the kind: <c>supersede</c>, <c>consent_revoked</c>, <c>delete</c>, <c>purge</c> or <c>expire</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Gets the session after which the change takes effect.</summary>
    public required string After { get; init; }

    /// <summary>Gets the expected memory whose value changes or goes.</summary>
    public required string Memory { get; init; }

    /// <summary>Gets the expected memory that replaces it, for <c>supersede</c>.</summary>
    public string? Replacement { get; init; }

    /// <summary>Gets the query an agent would run that used to return the old value.</summary>
    public required string Probe { get; init; }

    /// <summary>Gets the agent that runs the probe, or null for the user's first agent.</summary>
    public string? Agent { get; init; }
}
