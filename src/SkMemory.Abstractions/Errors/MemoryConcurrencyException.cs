namespace SkMemory;

/// <summary>
/// The memory changed since the caller read it. Nothing was written: read it again, reconcile, and retry with the new version.
/// </summary>
public sealed class MemoryConcurrencyException : MemoryException
{
    /// <summary>Initializes a new instance of the <see cref="MemoryConcurrencyException"/> class.</summary>
    /// <param name="id">The memory id.</param>
    /// <param name="expectedVersion">The version the caller expected.</param>
    /// <param name="actualVersion">The memory's current version.</param>
    public MemoryConcurrencyException(Guid id, long expectedVersion, long actualVersion)
        : base(MemoryErrorCode.VersionConflict, $"Memory {id} is at version {actualVersion}, not the expected version {expectedVersion}: read it again and retry.")
    {
        Id = id;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>Gets the memory id.</summary>
    public Guid Id { get; }

    /// <summary>Gets the version the caller expected.</summary>
    public long ExpectedVersion { get; }

    /// <summary>Gets the memory's current version.</summary>
    public long ActualVersion { get; }
}
