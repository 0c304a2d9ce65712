namespace SkMemory.Context;

/// <summary>What to recall for one model call: whose memories, for which query, read by whom.</summary>
/// <remarks>Filled by the integration from the developer's configuration and the session, never from the model's text.</remarks>
public sealed record MemoryContextRequest
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the subject whose memories are recalled (the user the agent serves).</summary>
    public required string Subject { get; init; }

    /// <summary>Gets the query: usually the user's latest message.</summary>
    public required string Query { get; init; }

    /// <summary>Gets who reads: recorded in the read audit with each injected memory.</summary>
    public required MemoryActor Reader { get; init; }

    /// <summary>Gets the agent narrowing, if the search is limited to one agent's memories.</summary>
    public string? Agent { get; init; }

    /// <summary>Gets the session narrowing, if the search is limited to one session's memories.</summary>
    public string? Session { get; init; }

    /// <summary>Gets the task, recorded in the read audit.</summary>
    public string? Task { get; init; }
}
