using SkMemory.Packing;

namespace SkMemory.Context;

/// <summary>The memories for one model call: the packet (within its budget, quoted, with ids) and what the search returned.</summary>
public sealed class MemoryContext
{
    /// <summary>Initializes a new instance of the <see cref="MemoryContext"/> class.</summary>
    /// <param name="packet">The packet.</param>
    /// <param name="retrieved">The search results the packet was built from.</param>
    public MemoryContext(MemoryPacket packet, IReadOnlyList<MemorySearchResult> retrieved)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(retrieved);
        Packet = packet;
        Retrieved = retrieved;
    }

    /// <summary>Gets an empty context: nothing to inject.</summary>
    public static MemoryContext Empty { get; } = new(MemoryPacket.Empty, []);

    /// <summary>Gets the packet.</summary>
    public MemoryPacket Packet { get; }

    /// <summary>Gets the search results the packet was built from, with their scores.</summary>
    public IReadOnlyList<MemorySearchResult> Retrieved { get; }

    /// <summary>Gets the rendered packet: memories as quoted data with their ids, for a system message or instructions.</summary>
    public string Text => Packet.Text;

    /// <summary>Gets a value indicating whether there is nothing to inject.</summary>
    public bool IsEmpty => Packet.IsEmpty;
}
