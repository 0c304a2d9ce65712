namespace SkMemory.Storage;

/// <summary>The last event of a tenant's chain: its sequence and hash.</summary>
/// <param name="Sequence">The last sequence number, 0 for an empty chain.</param>
/// <param name="Hash">The last hash, <see cref="MemoryEventChain.GenesisHash"/> for an empty chain.</param>
public sealed record ChainHead(long Sequence, string Hash)
{
    /// <summary>Gets the head of an empty chain.</summary>
    public static ChainHead Empty { get; } = new(0, MemoryEventChain.GenesisHash);
}
