namespace SkMemory;

/// <summary>
/// Why the agent knows something: one memory's current record, every write behind it (the events of its stream, with
/// actor, reason and provenance), what it superseded, and every read of it (who, how, for which task, with which score,
/// and whether it went into a model call).
/// </summary>
public sealed record MemoryLineage
{
    /// <summary>Gets the memory as it is now.</summary>
    public required MemoryRecord Record { get; init; }

    /// <summary>Gets the writes: the memory's events, oldest first.</summary>
    public required IReadOnlyList<MemoryEvent> Writes { get; init; }

    /// <summary>Gets the memories this one replaced, newest first, following <see cref="MemoryRecord.Supersedes"/>.</summary>
    public required IReadOnlyList<MemoryRecord> Supersedes { get; init; }

    /// <summary>Gets the reads, oldest first.</summary>
    public required IReadOnlyList<MemoryReadEntry> Reads { get; init; }
}
