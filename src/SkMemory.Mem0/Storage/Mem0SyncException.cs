namespace SkMemory.Mem0;

/// <summary>
/// The canonical mirror holds the change, but Mem0 does not yet: the push failed. Nothing is lost; the memory is marked
/// for <c>skmem reconcile</c> (or <see cref="Mem0MemoryStore.ReconcileAsync"/>), and retrying the same write with the
/// same idempotency key pushes it too.
/// </summary>
public sealed class Mem0SyncException : MemoryException
{
    /// <summary>Initializes a new instance of the <see cref="Mem0SyncException"/> class.</summary>
    public Mem0SyncException(MemoryRecord record, Exception innerException)
        : base(
            MemoryErrorCode.Unavailable,
            $"Memory {record?.Id} (version {record?.Version}) is stored in the canonical log but Mem0 does not have it yet: {innerException?.Message} "
                + "Run 'skmem reconcile' (or retry the write with the same idempotency key) once the cause is fixed.",
            innerException)
    {
        ArgumentNullException.ThrowIfNull(record);
        Record = record;
    }

    /// <summary>Gets the record as the canonical mirror stored it.</summary>
    public MemoryRecord Record { get; }
}
