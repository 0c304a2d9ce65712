namespace SkMemory.Packing;

/// <summary>A memory offered to the packet builder, in packet order.</summary>
/// <param name="Order">Its position among the offered memories (pinned first, then ranked).</param>
/// <param name="Record">The memory.</param>
/// <param name="Pinned">Whether it was pinned.</param>
/// <param name="Rank">Its rank (from 1) in the ranked results, if it was there.</param>
internal sealed record PacketCandidate(int Order, MemoryRecord Record, bool Pinned, int? Rank)
{
    /// <summary>Reports this memory as dropped.</summary>
    /// <param name="reason">Why.</param>
    /// <returns>The drop.</returns>
    public MemoryPacketDrop Drop(MemoryPacketDropReason reason) => new(Record.Id, reason, Pinned, Rank);
}
