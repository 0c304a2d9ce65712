namespace SkMemory.Mem0;

/// <summary>What a reconcile covers.</summary>
public sealed record Mem0ReconcileOptions
{
    /// <summary>Gets the tenant to reconcile; null reconciles every tenant of the mirror and every memory in Mem0.</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets a value indicating whether memories that exist only in Mem0 are adopted into the mirror (true) or only counted.</summary>
    public bool Adopt { get; init; } = true;

    /// <summary>Gets a value indicating whether the push phase (mirror → Mem0) runs.</summary>
    public bool Push { get; init; } = true;

    /// <summary>Gets a value indicating whether the pull phase (Mem0 → mirror) runs.</summary>
    public bool Pull { get; init; } = true;

    /// <summary>Gets where progress is reported.</summary>
    public IProgress<Mem0ReconcileProgress>? Progress { get; init; }
}

/// <summary>How far a reconcile is.</summary>
/// <param name="Phase"><c>push</c> or <c>pull</c>.</param>
/// <param name="Checked">Memories checked so far in this phase.</param>
/// <param name="Changed">Memories pushed, adopted, relinked or removed so far in this phase.</param>
public sealed record Mem0ReconcileProgress(string Phase, long Checked, long Changed);

/// <summary>What a reconcile found and did.</summary>
public sealed record Mem0ReconcileResult
{
    /// <summary>Gets the canonical memories checked against Mem0.</summary>
    public long CheckedInMirror { get; init; }

    /// <summary>Gets the Mem0 memories checked against the mirror.</summary>
    public long CheckedInMem0 { get; init; }

    /// <summary>Gets the memories whose change reached Mem0 in this run (missing or stale there, or deleted in the mirror).</summary>
    public long Pushed { get; init; }

    /// <summary>Gets the memories that existed only in Mem0 and were adopted into the mirror.</summary>
    public long Adopted { get; init; }

    /// <summary>Gets the memories found only in Mem0 and left alone (adoption off, or another tenant).</summary>
    public long NotAdopted { get; init; }

    /// <summary>Gets the Mem0 memories relinked to the canonical memory they carry (a write Mem0 took whose link was never recorded).</summary>
    public long Relinked { get; init; }

    /// <summary>Gets the Mem0 copies removed: duplicates of a linked copy, or copies of memories deleted or purged in the mirror.</summary>
    public long RemovedFromMem0 { get; init; }

    /// <summary>Gets the linked copies the pull did not find in Mem0 (deleted there by someone else); the push adds them again.</summary>
    public long MissingInMem0 { get; init; }

    /// <summary>Gets what the run could not check (for example a self-hosted listing that reached its cap); not failures.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Gets the memories whose repair failed, with why (they stay marked for the next run).</summary>
    public IReadOnlyList<Mem0ReconcileFailure> Failures { get; init; } = [];

    /// <summary>Gets a value indicating whether the mirror and Mem0 agree after this run.</summary>
    public bool InSync => Failures.Count == 0 && NotAdopted == 0;
}

/// <summary>A memory a reconcile could not repair.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="MemoryId">The canonical id, when known.</param>
/// <param name="Mem0Id">The Mem0 id, when known.</param>
/// <param name="Error">Why.</param>
public sealed record Mem0ReconcileFailure(string Tenant, Guid? MemoryId, string? Mem0Id, string Error);
