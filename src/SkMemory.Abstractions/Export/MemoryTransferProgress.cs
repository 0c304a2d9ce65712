namespace SkMemory;

/// <summary>Progress of an export or import.</summary>
/// <param name="Lines">Lines written or read so far.</param>
/// <param name="Events">Events so far.</param>
/// <param name="Objects">Objects so far.</param>
/// <param name="TotalEvents">The total number of events, when known.</param>
public sealed record MemoryTransferProgress(long Lines, long Events, long Objects, long? TotalEvents);
