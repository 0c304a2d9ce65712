namespace SkMemory;

/// <summary>
/// The provider contract every memory backend implements: event-sourced writes with provenance, scoped reads, search,
/// history, export and import of the canonical log, and chain verification.
/// </summary>
/// <remarks>
/// All members are thread-safe for concurrent use. Every change appends to the tenant's hash-chained event log and updates
/// the current-state projection atomically: a failed or cancelled call changes nothing. Invalid requests throw
/// <see cref="MemoryValidationException"/> naming the field.
/// </remarks>
public interface IMemoryStore : IDisposable
{
    /// <summary>Writes a new memory. Idempotent: a repeated idempotency key, or the same content in the same scope and subject, returns the existing record.</summary>
    /// <param name="request">The write.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored record and whether it was created.</returns>
    Task<MemoryWriteResult> WriteAsync(MemoryWriteRequest request, CancellationToken cancellationToken = default);

    /// <summary>Gets a memory by id, in any status.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The memory id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The record, or null when the tenant has no such memory.</returns>
    Task<MemoryRecord?> GetAsync(string tenant, Guid id, CancellationToken cancellationToken = default);

    /// <summary>Reads memories by scope and filters, one page at a time, in stable id order.</summary>
    /// <param name="query">The query.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A page and the cursor for the next.</returns>
    Task<MemoryPage> ReadAsync(MemoryQuery query, CancellationToken cancellationToken = default);

    /// <summary>Changes a memory in place if it is still at the expected version.</summary>
    /// <param name="request">The update.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The updated record.</returns>
    /// <exception cref="MemoryConcurrencyException">The memory is at another version.</exception>
    /// <exception cref="MemoryNotFoundException">The memory does not exist.</exception>
    Task<MemoryRecord> UpdateAsync(MemoryUpdateRequest request, CancellationToken cancellationToken = default);

    /// <summary>Replaces a memory with a new version; the old one stays readable with <c>valid_to</c> set.</summary>
    /// <param name="request">The supersede.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The old and the new record.</returns>
    Task<MemorySupersedeResult> SupersedeAsync(MemorySupersedeRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Merges corroborating evidence into an active memory: the evidence items are added, confidence and salience may rise.
    /// Appends a <see cref="MemoryEventType.Merged"/> event with the reason.
    /// </summary>
    /// <param name="request">The merge.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The merged record.</returns>
    /// <exception cref="MemoryConcurrencyException">The memory is at another version.</exception>
    /// <exception cref="MemoryNotFoundException">The memory does not exist.</exception>
    Task<MemoryRecord> MergeAsync(MemoryMergeRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Undoes a merge from the log: removes the evidence items it added and takes back the confidence and salience it
    /// added, keeping later changes. Appends an <see cref="MemoryEventType.Updated"/> event naming the merge.
    /// </summary>
    /// <param name="request">The unmerge.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The record after the undo.</returns>
    /// <exception cref="MemoryNotFoundException">The memory does not exist.</exception>
    /// <exception cref="MemoryValidationException">The event is not a merge into this memory, or it was undone already.</exception>
    Task<MemoryRecord> UnmergeAsync(MemoryUnmergeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes a memory with a reason.</summary>
    /// <param name="request">The deletion.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The deleted record.</returns>
    Task<MemoryRecord> DeleteAsync(MemoryDeleteRequest request, CancellationToken cancellationToken = default);

    /// <summary>Expires a memory: it leaves every read at once and keeps its content until purged.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The expired record.</returns>
    /// <exception cref="MemoryException">The memory is missing, not active, held (<see cref="MemoryErrorCode.LegalHold"/>), or changed concurrently.</exception>
    Task<MemoryRecord> ExpireAsync(MemoryExpireRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Purges memories' content everywhere it lives, atomically, keeping the hash chain verifiable (events keep their payload
    /// hashes), and returns a signed attestation of what was removed.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The attestation.</returns>
    /// <exception cref="MemoryException">A memory is missing or held (<see cref="MemoryErrorCode.LegalHold"/>); nothing was purged.</exception>
    Task<MemoryDeletionAttestation> PurgeAsync(MemoryPurgeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Gets every event of one memory, oldest first.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The memory id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The events; empty when the memory does not exist.</returns>
    Task<IReadOnlyList<MemoryEvent>> GetHistoryAsync(string tenant, Guid id, CancellationToken cancellationToken = default);

    /// <summary>Searches memories by meaning and words under the same filters as <see cref="ReadAsync"/>.</summary>
    /// <param name="request">The search.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The results, best first, each with its score breakdown.</returns>
    Task<IReadOnlyList<MemorySearchResult>> SearchAsync(MemorySearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Writes the event log and the current objects as JSON Lines (see docs/schema.md).</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="options">What to export.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What was exported.</returns>
    Task<MemoryTransferResult> ExportAsync(Stream destination, MemoryExportOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replays an export into this store, verifying every line and the hash chains first. All or nothing: on any error or
    /// cancellation the store is left as it was.
    /// </summary>
    /// <param name="source">The export.</param>
    /// <param name="options">Import options.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What was imported.</returns>
    /// <exception cref="MemoryImportException">The file is invalid or does not fit the store.</exception>
    Task<MemoryTransferResult> ImportAsync(Stream source, MemoryImportOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Recomputes the hash chains and reports the first broken link.</summary>
    /// <param name="tenant">One tenant, or null for all.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The verification result.</returns>
    Task<ChainVerificationResult> VerifyAsync(string? tenant = null, CancellationToken cancellationToken = default);

    /// <summary>Asks the store for a service it provides, such as <see cref="MemoryStoreMetadata"/>.</summary>
    /// <param name="serviceType">The service type.</param>
    /// <param name="serviceKey">An optional key.</param>
    /// <returns>The service, or null.</returns>
    object? GetService(Type serviceType, object? serviceKey = null);
}
