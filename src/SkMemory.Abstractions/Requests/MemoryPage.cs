namespace SkMemory;

/// <summary>One page of a read by scope.</summary>
/// <param name="Items">The records, in id order.</param>
/// <param name="NextCursor">The cursor for the next page, or null when this is the last page.</param>
public sealed record MemoryPage(IReadOnlyList<MemoryRecord> Items, string? NextCursor);
