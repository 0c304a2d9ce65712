namespace SkMemory;

/// <summary>
/// A request to merge corroborating evidence into a memory: its evidence gains the new items and its confidence and
/// salience may rise. The change is a <see cref="MemoryEventType.Merged"/> event, reversible with
/// <see cref="IMemoryStore.UnmergeAsync"/>.
/// </summary>
public sealed record MemoryMergeRequest
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the id of the memory merged into.</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the version the caller read, or null to merge into whatever the current version is.</summary>
    public long? ExpectedVersion { get; init; }

    /// <summary>Gets who merges.</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets why, recorded on the event.</summary>
    public required string Reason { get; init; }

    /// <summary>Gets the corroborating evidence; its items are added to the memory's (items already there are kept once).</summary>
    public required MemoryProvenance Evidence { get; init; }

    /// <summary>Gets the new confidence; unchanged when null. It cannot be lower than the current one.</summary>
    public double? Confidence { get; init; }

    /// <summary>Gets the new salience; unchanged when null. It cannot be lower than the current one.</summary>
    public double? Salience { get; init; }
}
