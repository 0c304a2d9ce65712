namespace SkMemory;

/// <summary>What an export or import moved.</summary>
/// <param name="Events">The number of events.</param>
/// <param name="Objects">The number of current objects.</param>
/// <param name="Tenants">The tenants included.</param>
public sealed record MemoryTransferResult(long Events, long Objects, IReadOnlyList<string> Tenants);
