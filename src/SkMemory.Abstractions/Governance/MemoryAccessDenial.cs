namespace SkMemory;

/// <summary>An operation the access policy refused: kept in the audit log and carried by <see cref="MemoryAccessDeniedException"/>.</summary>
public sealed record MemoryAccessDenial
{
    /// <summary>Gets the tenant the operation named.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the caller refused (<see cref="MemoryActor.System"/> when no caller was set).</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets the operation: <c>write</c>, <c>get</c>, <c>read</c>, <c>search</c>, <c>update</c>, <c>delete</c>, <c>export</c>...</summary>
    public required string Operation { get; init; }

    /// <summary>Gets the memory concerned, if one.</summary>
    public Guid? MemoryId { get; init; }

    /// <summary>Gets the subject concerned, if one.</summary>
    public string? Subject { get; init; }

    /// <summary>Gets the scope concerned, if one (<see cref="MemoryScope.ToString"/>).</summary>
    public string? Scope { get; init; }

    /// <summary>Gets why.</summary>
    public required MemoryAccessDenialReason Reason { get; init; }

    /// <summary>Gets the message for the caller: what was refused and what would allow it.</summary>
    public required string Detail { get; init; }

    /// <summary>Gets when.</summary>
    public required DateTimeOffset DeniedAt { get; init; }
}
