namespace SkMemory.Packing;

/// <summary>A memory included in a <see cref="MemoryPacket"/>.</summary>
/// <param name="MemoryId">The memory's id, cited in the packet text as <c>[memory:&lt;id&gt;]</c>.</param>
/// <param name="Tokens">The tokens its line costs (line and line break, counted alone with the packet's tokenizer).</param>
/// <param name="Pinned">Whether it was offered as a pinned memory.</param>
/// <param name="Rank">Its rank (from 1) in the ranked search results, or <see langword="null"/> when it was only pinned.</param>
public sealed record MemoryPacketItem(Guid MemoryId, int Tokens, bool Pinned, int? Rank);
