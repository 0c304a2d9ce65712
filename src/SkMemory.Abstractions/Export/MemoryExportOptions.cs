namespace SkMemory;

/// <summary>Options for <see cref="IMemoryStore.ExportAsync"/>.</summary>
public sealed record MemoryExportOptions
{
    /// <summary>Gets the tenant to export, or null for all tenants.</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets a receiver of progress (lines written so far).</summary>
    public IProgress<MemoryTransferProgress>? Progress { get; init; }
}
