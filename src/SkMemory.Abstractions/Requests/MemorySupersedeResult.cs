namespace SkMemory;

/// <summary>The result of a supersede.</summary>
/// <param name="Previous">The old record, now superseded.</param>
/// <param name="Current">The new record.</param>
public sealed record MemorySupersedeResult(MemoryRecord Previous, MemoryRecord Current);
