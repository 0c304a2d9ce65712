namespace SkMemory;

/// <summary>Options for <see cref="IMemoryStore.ImportAsync"/>.</summary>
public sealed record MemoryImportOptions
{
    /// <summary>Gets a receiver of progress (lines read so far).</summary>
    public IProgress<MemoryTransferProgress>? Progress { get; init; }
}
