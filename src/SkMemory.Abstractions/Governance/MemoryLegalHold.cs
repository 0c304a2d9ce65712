namespace SkMemory;

/// <summary>A legal hold: while active, the memories it covers (one memory, or all of one subject's) are never expired or purged.</summary>
public sealed record MemoryLegalHold
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the hold's id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the subject held, or <see langword="null"/> when the hold names one memory.</summary>
    public string? Subject { get; init; }

    /// <summary>Gets the memory held, or <see langword="null"/> when the hold names a subject.</summary>
    public Guid? MemoryId { get; init; }

    /// <summary>Gets why (a matter number, a regulator's request).</summary>
    public required string Reason { get; init; }

    /// <summary>Gets who placed it.</summary>
    public required MemoryActor PlacedBy { get; init; }

    /// <summary>Gets when it was placed.</summary>
    public required DateTimeOffset PlacedAt { get; init; }

    /// <summary>Gets when it was released, or <see langword="null"/> while active.</summary>
    public DateTimeOffset? ReleasedAt { get; init; }

    /// <summary>Gets who released it.</summary>
    public MemoryActor? ReleasedBy { get; init; }
}
