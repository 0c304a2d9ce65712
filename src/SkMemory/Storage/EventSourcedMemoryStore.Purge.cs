namespace SkMemory.Storage;

public abstract partial class EventSourcedMemoryStore
{
    /// <inheritdoc />
    public Task<MemoryRecord> ExpireAsync(MemoryExpireRequest request, CancellationToken cancellationToken = default) =>
        throw new MemoryException(MemoryErrorCode.NotSupported, "Expire is not implemented yet.");

    /// <inheritdoc />
    public Task<MemoryDeletionAttestation> PurgeAsync(MemoryPurgeRequest request, CancellationToken cancellationToken = default) =>
        throw new MemoryException(MemoryErrorCode.NotSupported, "Purge is not implemented yet.");
}
