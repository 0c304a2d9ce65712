namespace SkMemory.Storage;

/// <summary>
/// A backend's write transaction. It holds the lock on the tenant chains it touches; appends keep the chain discipline
/// (contiguous sequence, previous hash) and the projection in the same transaction. Disposing without
/// <see cref="CommitAsync"/> rolls everything back.
/// </summary>
public abstract class MemoryStoreTransaction : IAsyncDisposable
{
    private readonly Dictionary<string, ChainHead> _heads = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirtyHeads = new(StringComparer.Ordinal);

    /// <summary>Gets the current head of a tenant's chain, including this transaction's appends.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The head.</returns>
    public async Task<ChainHead> GetHeadAsync(string tenant, CancellationToken cancellationToken)
    {
        if (!_heads.TryGetValue(tenant, out var head))
        {
            head = await LoadHeadAsync(tenant, cancellationToken).ConfigureAwait(false) ?? ChainHead.Empty;
            _heads[tenant] = head;
        }

        return head;
    }

    /// <summary>Appends an event and applies its projection.</summary>
    /// <param name="e">The event; it must continue the tenant's chain.</param>
    /// <param name="projection">The record state after the event, or null when the payload was erased.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    /// <exception cref="InvalidOperationException">The event does not continue the chain (a bug in the caller).</exception>
    public async Task AppendAsync(MemoryEvent e, MemoryRecord? projection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        var head = await GetHeadAsync(e.Tenant, cancellationToken).ConfigureAwait(false);
        if (e.Sequence != head.Sequence + 1 || !string.Equals(e.PreviousHash, head.Hash, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Event {e.EventId} does not continue the chain of tenant '{e.Tenant}' at sequence {head.Sequence}.");
        }

        await InsertEventAsync(e, cancellationToken).ConfigureAwait(false);
        if (projection is not null)
        {
            await UpsertObjectAsync(projection, cancellationToken).ConfigureAwait(false);
        }

        _heads[e.Tenant] = new ChainHead(e.Sequence, e.Hash);
        _dirtyHeads.Add(e.Tenant);
    }

    /// <summary>Saves the chain heads and commits.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        foreach (var tenant in _dirtyHeads)
        {
            await SaveHeadAsync(tenant, _heads[tenant], cancellationToken).ConfigureAwait(false);
        }

        await CommitCoreAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets a record by id, seeing this transaction's changes.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The record, or null.</returns>
    public abstract Task<MemoryRecord?> GetAsync(string tenant, Guid id, CancellationToken cancellationToken);

    /// <summary>Finds the record created with an idempotency key, and the content hash it was created with.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="idempotencyKey">The key.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The record and its original content hash, or null.</returns>
    public abstract Task<(MemoryRecord Record, string OriginContentHash)?> FindByIdempotencyKeyAsync(string tenant, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Finds an active record with a content hash (the hash covers type, scope, subject and value).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="contentHash">The content hash.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The record, or null.</returns>
    public abstract Task<MemoryRecord?> FindActiveByContentHashAsync(string tenant, string contentHash, CancellationToken cancellationToken);

    /// <summary>Stores (or replaces) a memory's embedding for one model and dimension.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The memory id.</param>
    /// <param name="model">The embedding model.</param>
    /// <param name="vector">The vector.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public abstract Task SaveEmbeddingAsync(string tenant, Guid id, string model, ReadOnlyMemory<float> vector, CancellationToken cancellationToken);

    /// <summary>Removes every embedding of a memory (derived data of deleted content must go too).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The memory id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public abstract Task DeleteEmbeddingsAsync(string tenant, Guid id, CancellationToken cancellationToken);

    /// <summary>Records an embedding model's state; making one serving retires every other serving model.</summary>
    /// <param name="model">The model.</param>
    /// <param name="dimensions">Its dimension.</param>
    /// <param name="state">The state (serving, building or retired).</param>
    /// <param name="now">The time of the change.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public abstract Task SetEmbeddingModelStateAsync(string model, int dimensions, MemoryEmbeddingModelState state, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes every embedding of a model, of every dimension, and its registry rows.</summary>
    /// <param name="model">The model.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public abstract Task DropEmbeddingModelAsync(string model, CancellationToken cancellationToken);

    /// <summary>
    /// Finds an active legal hold covering a memory: one not released that names the memory or its subject.
    /// </summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The memory id.</param>
    /// <param name="subject">The memory's subject.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The hold's id, or null when no active hold covers the memory.</returns>
    public abstract Task<string?> FindActiveLegalHoldAsync(string tenant, Guid id, string subject, CancellationToken cancellationToken);

    /// <summary>Lists every record of one subject, in any status, in id order.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="subject">The subject.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The records.</returns>
    public abstract Task<IReadOnlyList<MemoryRecord>> ListSubjectAsync(string tenant, string subject, CancellationToken cancellationToken);

    /// <summary>
    /// Removes a memory's content from the places derived from its record: erases the payload of each of its events
    /// (their payload hashes stay, so the chain still verifies), deletes its embeddings, and removes its full-text entry.
    /// The record itself is replaced by the purge's tombstone event afterwards.
    /// </summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The memory id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>How many event payloads, embeddings and full-text entries were removed.</returns>
    public abstract Task<(int EventPayloads, int Embeddings, int FullTextRows)> RemoveContentAsync(string tenant, Guid id, CancellationToken cancellationToken);

    /// <summary>Lists the vault tokens of a tenant, or only those recorded for one subject.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="subject">The subject, or null for every token of the tenant.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The tokens.</returns>
    public abstract Task<IReadOnlyList<string>> ListVaultTokensAsync(string tenant, string? subject, CancellationToken cancellationToken);

    /// <summary>Deletes the vault rows of the given tokens that no event payload of the tenant (seen by this transaction) still contains.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="tokens">The candidate tokens.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The tokens whose rows were deleted.</returns>
    public abstract Task<IReadOnlyList<string>> DeleteUnreferencedVaultTokensAsync(string tenant, IReadOnlyCollection<string> tokens, CancellationToken cancellationToken);

    /// <summary>Stores a deletion attestation.</summary>
    /// <param name="attestation">The attestation.</param>
    /// <param name="json">Its JSON.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public abstract Task SaveAttestationAsync(MemoryDeletionAttestation attestation, string json, CancellationToken cancellationToken);

    /// <summary>Finds what still references purged memories outside their event payloads: projection text, full-text entries, embeddings.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="ids">The purged memory ids.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The ids that still have text in the projection, a full-text entry, or an embedding.</returns>
    public abstract Task<(IReadOnlyList<Guid> WithText, IReadOnlyList<Guid> WithFullText, IReadOnlyList<Guid> WithEmbeddings)> FindPurgeResidueAsync(string tenant, IReadOnlyList<Guid> ids, CancellationToken cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Reads the persisted head of a tenant's chain (and, for backends that lock per tenant, takes the lock).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The head, or null for a tenant with no events.</returns>
    protected abstract Task<ChainHead?> LoadHeadAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Persists a tenant's new chain head.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="head">The head.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    protected abstract Task SaveHeadAsync(string tenant, ChainHead head, CancellationToken cancellationToken);

    /// <summary>Inserts an event row.</summary>
    /// <param name="e">The event.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    protected abstract Task InsertEventAsync(MemoryEvent e, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces a record in the projection. On insert, the record's content hash is kept as its origin content hash.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    protected abstract Task UpsertObjectAsync(MemoryRecord record, CancellationToken cancellationToken);

    /// <summary>Commits the backend transaction.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    protected abstract Task CommitCoreAsync(CancellationToken cancellationToken);

    /// <summary>Rolls back if not committed, and releases the connection and locks.</summary>
    /// <returns>A task.</returns>
    protected abstract ValueTask DisposeAsyncCore();
}
