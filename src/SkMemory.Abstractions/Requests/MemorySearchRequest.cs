namespace SkMemory;

/// <summary>A search: text matched by meaning (vector) and by words (full text), under the same filters as reads.</summary>
public sealed record MemorySearchRequest : MemoryFilter
{
    /// <summary>Gets the query text.</summary>
    public required string Text { get; init; }

    /// <summary>Gets how many results to return, 1..100.</summary>
    public int Top { get; init; } = 10;

    /// <summary>Gets which retrievers to use.</summary>
    public MemorySearchMode Mode { get; init; } = MemorySearchMode.Hybrid;
}

/// <summary>Which retrievers a search uses.</summary>
public enum MemorySearchMode
{
    /// <summary>Vector and full text, fused.</summary>
    Hybrid,

    /// <summary>Vector similarity only (needs an embedding generator).</summary>
    Vector,

    /// <summary>Full text only.</summary>
    Text,
}
