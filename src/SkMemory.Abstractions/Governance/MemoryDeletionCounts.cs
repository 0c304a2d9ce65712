namespace SkMemory;

/// <summary>The rows a purge removed or scrubbed, per place the content lived.</summary>
public sealed record MemoryDeletionCounts
{
    /// <summary>Gets the memory records reduced to tombstones.</summary>
    public int Records { get; init; }

    /// <summary>Gets the events whose payload was removed.</summary>
    public int EventPayloads { get; init; }

    /// <summary>Gets the embeddings deleted.</summary>
    public int Embeddings { get; init; }

    /// <summary>Gets the full-text index rows deleted.</summary>
    public int FullTextRows { get; init; }

    /// <summary>Gets the vault tokens deleted.</summary>
    public int VaultTokens { get; init; }

    /// <summary>Gets the derived memories purged with them.</summary>
    public int DerivedMemories { get; init; }
}
