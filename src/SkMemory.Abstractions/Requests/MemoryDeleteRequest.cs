namespace SkMemory;

/// <summary>A request to delete a memory. A reason is required and is kept in the record and the log.</summary>
public sealed record MemoryDeleteRequest
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the memory id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets why it is deleted.</summary>
    public required string Reason { get; init; }

    /// <summary>Gets who is deleting it.</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets the version the caller read, or null to delete whatever the current version is.</summary>
    public long? ExpectedVersion { get; init; }
}
