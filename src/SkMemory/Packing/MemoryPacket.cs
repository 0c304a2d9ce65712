namespace SkMemory.Packing;

/// <summary>
/// Memories rendered as quoted data for a model's context, within a hard token budget, with a report of what was left out.
/// </summary>
public sealed class MemoryPacket
{
    /// <summary>Initializes a new instance of the <see cref="MemoryPacket"/> class.</summary>
    /// <param name="text">The text to inject.</param>
    /// <param name="tokenCount">The exact token count of <paramref name="text"/>.</param>
    /// <param name="budget">The token budget the packet was built for.</param>
    /// <param name="included">The memories in the packet, in packet order.</param>
    /// <param name="dropped">The memories left out, in the order they were offered.</param>
    internal MemoryPacket(string text, int tokenCount, int budget, IReadOnlyList<MemoryPacketItem> included, IReadOnlyList<MemoryPacketDrop> dropped)
    {
        Text = text;
        TokenCount = tokenCount;
        Budget = budget;
        Included = included;
        Dropped = dropped;
    }

    /// <summary>Gets a packet holding nothing, built for no budget: what a call with nothing to recall injects.</summary>
    public static MemoryPacket Empty { get; } = new(string.Empty, 0, 0, [], []);

    /// <summary>Gets the text to inject into the model's context: empty when no memory fits.</summary>
    public string Text { get; }

    /// <summary>Gets the exact number of tokens in <see cref="Text"/> with the options' tokenizer; never more than <see cref="Budget"/>.</summary>
    public int TokenCount { get; }

    /// <summary>Gets the token budget the packet was built for.</summary>
    public int Budget { get; }

    /// <summary>Gets the memories in the packet, in the order they appear: pinned first, then by rank.</summary>
    public IReadOnlyList<MemoryPacketItem> Included { get; }

    /// <summary>Gets the memories that were offered but left out, with the reason, in the order they were offered.</summary>
    public IReadOnlyList<MemoryPacketDrop> Dropped { get; }

    /// <summary>Gets a value indicating whether the packet holds no memory.</summary>
    public bool IsEmpty => Included.Count == 0;
}
