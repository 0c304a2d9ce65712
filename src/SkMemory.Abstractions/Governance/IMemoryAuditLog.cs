namespace SkMemory;

/// <summary>
/// The read audit and the log of denials, kept beside the memories (writes are audited by the event log itself). Stores
/// provide it through <see cref="IMemoryStore.GetService"/>.
/// </summary>
public interface IMemoryAuditLog
{
    /// <summary>Records reads, in one transaction.</summary>
    /// <param name="reads">The reads.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the reads are recorded.</returns>
    Task RecordReadsAsync(IReadOnlyList<MemoryReadEntry> reads, CancellationToken cancellationToken = default);

    /// <summary>Records a denial.</summary>
    /// <param name="denial">The denial.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the denial is recorded.</returns>
    Task RecordDenialAsync(MemoryAccessDenial denial, CancellationToken cancellationToken = default);

    /// <summary>Gets the reads of one memory, oldest first.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="memoryId">The memory.</param>
    /// <param name="limit">The most to return (the newest <paramref name="limit"/>).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The reads.</returns>
    Task<IReadOnlyList<MemoryReadEntry>> GetReadsAsync(string tenant, Guid memoryId, int limit = 1000, CancellationToken cancellationToken = default);

    /// <summary>Gets the denials of a tenant, newest first.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="limit">The most to return.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The denials.</returns>
    Task<IReadOnlyList<MemoryAccessDenial>> GetDenialsAsync(string tenant, int limit = 1000, CancellationToken cancellationToken = default);
}
