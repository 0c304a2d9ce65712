namespace SkMemory.Mem0;

/// <summary>What a migration covers and where it reports.</summary>
public sealed record MemoryMigrationOptions
{
    /// <summary>Gets the tenant to migrate; null migrates every tenant of the source.</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets the folder for the intermediate export files (default: the system temp folder). They are deleted at the end.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Gets where progress is reported.</summary>
    public IProgress<MemoryMigrationProgress>? Progress { get; init; }
}

/// <summary>How far a migration is.</summary>
/// <param name="Stage"><c>pull</c> (adopting Mem0-only memories into the source's mirror), <c>export</c>, <c>import</c>, <c>push</c> (to a Mem0 target) or <c>verify</c>.</param>
/// <param name="Tenant">The tenant being migrated.</param>
/// <param name="Done">Items done in this stage.</param>
/// <param name="Total">Items in this stage, when known.</param>
public sealed record MemoryMigrationProgress(string Stage, string Tenant, long Done, long? Total);

/// <summary>What a migration did.</summary>
public sealed record MemoryMigrationResult
{
    /// <summary>Gets the tenants migrated (imported in this run or found complete from an earlier one).</summary>
    public IReadOnlyList<string> Tenants { get; init; } = [];

    /// <summary>Gets the tenants an earlier run had already imported; this run only finished their push and checks.</summary>
    public IReadOnlyList<string> Resumed { get; init; } = [];

    /// <summary>Gets the events imported in this run.</summary>
    public long Events { get; init; }

    /// <summary>Gets the memories the source holds for the migrated tenants, every status included.</summary>
    public long Memories { get; init; }

    /// <summary>Gets the memories adopted from Mem0 into the source's mirror before exporting (Mem0 sources only).</summary>
    public long AdoptedFromMem0 { get; init; }

    /// <summary>Gets the memories pushed to Mem0 (Mem0 targets only).</summary>
    public long PushedToMem0 { get; init; }
}
