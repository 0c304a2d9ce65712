namespace SkMemory;

/// <summary>A write held for review, and what became of it.</summary>
public sealed record MemoryReviewItem
{
    /// <summary>Gets the item's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the write as it was asked for (already redacted when redaction sits above the review layer).</summary>
    public required MemoryWriteRequest Request { get; init; }

    /// <summary>Gets the policy rule that held it.</summary>
    public required string Rule { get; init; }

    /// <summary>Gets when it was held.</summary>
    public required DateTimeOffset HeldAt { get; init; }

    /// <summary>Gets where it stands.</summary>
    public MemoryReviewState State { get; init; } = MemoryReviewState.Pending;

    /// <summary>Gets who decided.</summary>
    public MemoryActor? DecidedBy { get; init; }

    /// <summary>Gets when.</summary>
    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>Gets why.</summary>
    public string? DecisionReason { get; init; }

    /// <summary>Gets the memory the approval wrote.</summary>
    public Guid? MemoryId { get; init; }
}
