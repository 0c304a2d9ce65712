namespace SkMemory;

/// <summary>
/// A memory store that passes every call to an inner store. Derive from it to build middleware (logging, policy,
/// redaction, audit) that composes around any backend.
/// </summary>
public class DelegatingMemoryStore : IMemoryStore
{
    /// <summary>Initializes a new instance of the <see cref="DelegatingMemoryStore"/> class.</summary>
    /// <param name="innerStore">The store calls are passed to.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerStore"/> is <see langword="null"/>.</exception>
    protected DelegatingMemoryStore(IMemoryStore innerStore)
    {
        ArgumentNullException.ThrowIfNull(innerStore);
        InnerStore = innerStore;
    }

    /// <summary>Gets the store calls are passed to.</summary>
    protected IMemoryStore InnerStore { get; }

    /// <inheritdoc />
    public virtual Task<MemoryWriteResult> WriteAsync(MemoryWriteRequest request, CancellationToken cancellationToken = default) =>
        InnerStore.WriteAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual Task<MemoryRecord?> GetAsync(string tenant, Guid id, CancellationToken cancellationToken = default) =>
        InnerStore.GetAsync(tenant, id, cancellationToken);

    /// <inheritdoc />
    public virtual Task<MemoryPage> ReadAsync(MemoryQuery query, CancellationToken cancellationToken = default) =>
        InnerStore.ReadAsync(query, cancellationToken);

    /// <inheritdoc />
    public virtual Task<MemoryRecord> UpdateAsync(MemoryUpdateRequest request, CancellationToken cancellationToken = default) =>
        InnerStore.UpdateAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual Task<MemorySupersedeResult> SupersedeAsync(MemorySupersedeRequest request, CancellationToken cancellationToken = default) =>
        InnerStore.SupersedeAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual Task<MemoryRecord> MergeAsync(MemoryMergeRequest request, CancellationToken cancellationToken = default) =>
        InnerStore.MergeAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual Task<MemoryRecord> UnmergeAsync(MemoryUnmergeRequest request, CancellationToken cancellationToken = default) =>
        InnerStore.UnmergeAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual Task<MemoryRecord> DeleteAsync(MemoryDeleteRequest request, CancellationToken cancellationToken = default) =>
        InnerStore.DeleteAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual Task<MemoryRecord> ExpireAsync(MemoryExpireRequest request, CancellationToken cancellationToken = default) =>
        InnerStore.ExpireAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual Task<MemoryDeletionAttestation> PurgeAsync(MemoryPurgeRequest request, CancellationToken cancellationToken = default) =>
        InnerStore.PurgeAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual Task<IReadOnlyList<MemoryEvent>> GetHistoryAsync(string tenant, Guid id, CancellationToken cancellationToken = default) =>
        InnerStore.GetHistoryAsync(tenant, id, cancellationToken);

    /// <inheritdoc />
    public virtual Task<IReadOnlyList<MemorySearchResult>> SearchAsync(MemorySearchRequest request, CancellationToken cancellationToken = default) =>
        InnerStore.SearchAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual Task<MemoryTransferResult> ExportAsync(Stream destination, MemoryExportOptions? options = null, CancellationToken cancellationToken = default) =>
        InnerStore.ExportAsync(destination, options, cancellationToken);

    /// <inheritdoc />
    public virtual Task<MemoryTransferResult> ImportAsync(Stream source, MemoryImportOptions? options = null, CancellationToken cancellationToken = default) =>
        InnerStore.ImportAsync(source, options, cancellationToken);

    /// <inheritdoc />
    public virtual Task<ChainVerificationResult> VerifyAsync(string? tenant = null, CancellationToken cancellationToken = default) =>
        InnerStore.VerifyAsync(tenant, cancellationToken);

    /// <inheritdoc />
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : InnerStore.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the inner store.</summary>
    /// <param name="disposing">Whether this is called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            InnerStore.Dispose();
        }
    }
}
