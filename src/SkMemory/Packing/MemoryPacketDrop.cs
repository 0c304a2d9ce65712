namespace SkMemory.Packing;

/// <summary>A memory that was offered to the <see cref="MemoryPacketBuilder"/> but left out of the packet, and why.</summary>
/// <param name="MemoryId">The memory's id.</param>
/// <param name="Reason">Why it was left out.</param>
/// <param name="Pinned">Whether it was offered as a pinned memory.</param>
/// <param name="Rank">Its rank (from 1) in the ranked search results, or <see langword="null"/> when it was only pinned.</param>
/// <param name="DuplicateOf">For <see cref="MemoryPacketDropReason.NearDuplicate"/>, the id of the kept memory it duplicates.</param>
/// <param name="Tokens">For <see cref="MemoryPacketDropReason.OverBudget"/>, the tokens its line would have cost, when it was measured.</param>
public sealed record MemoryPacketDrop(
    Guid MemoryId,
    MemoryPacketDropReason Reason,
    bool Pinned,
    int? Rank,
    Guid? DuplicateOf = null,
    int? Tokens = null);
