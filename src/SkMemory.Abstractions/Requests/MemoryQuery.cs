namespace SkMemory;

/// <summary>A read by scope: filters plus stable cursor paging in id (creation-time) order.</summary>
public sealed record MemoryQuery : MemoryFilter
{
    /// <summary>The largest page a store returns.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Gets the page size, 1..1000.</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>Gets the cursor returned by the previous page, or null for the first page.</summary>
    public string? Cursor { get; init; }
}
