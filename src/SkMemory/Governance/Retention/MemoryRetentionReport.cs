namespace SkMemory.Governance.Retention;

/// <summary>What a retention sweep did: counts per rule, the attestation of every purge, and what failed.</summary>
public sealed record MemoryRetentionReport
{
    /// <summary>The most error messages a report keeps; <see cref="TotalErrors"/> still counts them all.</summary>
    public const int MaxErrorMessages = 100;

    /// <summary>Gets the tenants swept.</summary>
    public required IReadOnlyList<string> Tenants { get; init; }

    /// <summary>Gets the time the sweep judged every rule at.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Gets a value indicating whether the sweep only reported (nothing changed).</summary>
    public bool DryRun { get; init; }

    /// <summary>Gets the policy's source (its file, or <c>default policy</c>).</summary>
    public required string Policy { get; init; }

    /// <summary>Gets the counts per rule, in policy order, rules that saw nothing included.</summary>
    public required IReadOnlyList<MemoryRetentionRuleReport> Rules { get; init; }

    /// <summary>Gets the ids of the deletion attestations the purges returned.</summary>
    public IReadOnlyList<Guid> AttestationIds { get; init; } = [];

    /// <summary>Gets the first <see cref="MaxErrorMessages"/> error messages, each naming the tenant, memory and rule.</summary>
    public IReadOnlyList<string> ErrorMessages { get; init; } = [];

    /// <summary>Gets the memories (and jobs) examined.</summary>
    public int TotalExamined => Rules.Sum(r => r.Examined);

    /// <summary>Gets the memories expired.</summary>
    public int TotalExpired => Rules.Sum(r => r.Expired);

    /// <summary>Gets the memories (and job inputs) purged.</summary>
    public int TotalPurged => Rules.Sum(r => r.Purged);

    /// <summary>Gets the due memories skipped under a legal hold.</summary>
    public int TotalHeld => Rules.Sum(r => r.Held);

    /// <summary>Gets the failed operations.</summary>
    public int TotalErrors => Rules.Sum(r => r.Errors);

    /// <summary>Gets a value indicating whether the sweep changed (or, in a dry run, would change) nothing.</summary>
    public bool IsEmpty => TotalExpired == 0 && TotalPurged == 0;
}
