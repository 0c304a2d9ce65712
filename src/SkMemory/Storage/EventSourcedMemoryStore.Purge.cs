using Microsoft.Extensions.Logging;

namespace SkMemory.Storage;

/// <summary>Expiry and purge (verifiable deletion).</summary>
public abstract partial class EventSourcedMemoryStore
{
    /// <inheritdoc />
    public async Task<MemoryRecord> ExpireAsync(MemoryExpireRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        MemoryRequestValidator.Tenant(request.Tenant);
        MemoryRequestValidator.Reason(request.Reason, required: true);
        MemoryRequestValidator.Actor(request.Actor);
        MemoryRequestValidator.ExpectedVersion(request.ExpectedVersion);

        var tx = await BeginTransactionAsync(request.Tenant, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var current = await LoadForChangeAsync(tx, request.Tenant, request.Id, request.ExpectedVersion, "expire", cancellationToken).ConfigureAwait(false);
        if (current.Status != MemoryStatus.Active)
        {
            throw InvalidState(current, "expire");
        }

        if (await tx.FindActiveLegalHoldAsync(current.Tenant, current.Id, current.Subject, cancellationToken).ConfigureAwait(false) is { } hold)
        {
            throw Held(current, hold, "expired");
        }

        var now = Now();
        var expired = current with
        {
            Status = MemoryStatus.Expired,
            ValidTo = current.ValidTo ?? now,
            Actor = request.Actor,
            UpdatedAt = now,
            Version = current.Version + 1,
        };
        await AppendAsync(tx, MemoryEventType.Expired, expired, request.Actor, request.Reason, now, cancellationToken).ConfigureAwait(false);

        // The content stays until a purge; its embeddings are derived data no read may use any more.
        await tx.DeleteEmbeddingsAsync(expired.Tenant, expired.Id, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        LogExpired(request.Tenant, request.Id);
        return expired;
    }

    /// <inheritdoc />
    public Task<MemoryDeletionAttestation> PurgeAsync(MemoryPurgeRequest request, CancellationToken cancellationToken = default) =>
        throw new MemoryException(MemoryErrorCode.NotSupported, "Purge is not implemented yet.");

    private static MemoryException Held(MemoryRecord record, string holdId, string operation) =>
        new(MemoryErrorCode.LegalHold, $"Memory {record.Id} is under legal hold '{holdId}'; it cannot be {operation} until the hold is released.");

    [LoggerMessage(301, LogLevel.Debug, "Expired memory {MemoryId} in tenant {Tenant}.")]
    private partial void LogExpired(string tenant, Guid memoryId);
}
