namespace SkMemory.Governance.Retention;

/// <summary>What one retention sweep covers and how it acts.</summary>
public sealed record MemoryRetentionSweepOptions
{
    /// <summary>The largest page the sweeper reads.</summary>
    public const int MaxPageSize = MemoryQuery.MaxPageSize;

    /// <summary>Gets the actor the sweeper acts as, recorded with every expiry and purge.</summary>
    public static MemoryActor DefaultActor { get; } = new(MemoryActorKind.System, "skmemory-retention");

    /// <summary>Gets the tenant to sweep, or <see langword="null"/> for every tenant the store holds.</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets a value indicating whether to only report what would change, changing nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Gets who expires and purges.</summary>
    public MemoryActor Actor { get; init; } = DefaultActor;

    /// <summary>Gets how many memories one read returns, 1..<see cref="MaxPageSize"/>.</summary>
    public int PageSize { get; init; } = 500;
}
