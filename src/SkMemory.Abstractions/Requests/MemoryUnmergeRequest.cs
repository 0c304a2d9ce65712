namespace SkMemory;

/// <summary>
/// A request to undo a merge: the evidence it added is removed and the confidence and salience it added are taken back;
/// changes made since are kept. Recorded as an <see cref="MemoryEventType.Updated"/> event naming the merge.
/// </summary>
public sealed record MemoryUnmergeRequest
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the id of the memory that was merged into.</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the id of the <see cref="MemoryEventType.Merged"/> event to undo (from the memory's history).</summary>
    public required Guid MergeEventId { get; init; }

    /// <summary>Gets who undoes it.</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets why.</summary>
    public required string Reason { get; init; }
}
