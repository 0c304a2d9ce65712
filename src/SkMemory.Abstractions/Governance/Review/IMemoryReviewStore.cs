namespace SkMemory;

/// <summary>
/// Writes held for review, kept beside the store (not in the log: a held write is not a memory yet). Get it with
/// <c>store.GetService(typeof(IMemoryReviewStore))</c>; approve and reject through <c>ReviewingMemoryStore</c>.
/// </summary>
public interface IMemoryReviewStore
{
    /// <summary>Holds a write.</summary>
    Task AddAsync(MemoryReviewItem item, CancellationToken cancellationToken = default);

    /// <summary>Gets an item, or null.</summary>
    Task<MemoryReviewItem?> GetAsync(string tenant, Guid id, CancellationToken cancellationToken = default);

    /// <summary>Lists a tenant's items, oldest first, optionally in one state.</summary>
    Task<IReadOnlyList<MemoryReviewItem>> ListAsync(string tenant, MemoryReviewState? state = null, CancellationToken cancellationToken = default);

    /// <summary>Records a decision on a pending item; false when it is not pending (decided already, or unknown).</summary>
    Task<bool> DecideAsync(string tenant, Guid id, MemoryReviewState decision, MemoryActor by, string reason, Guid? memoryId, DateTimeOffset at, CancellationToken cancellationToken = default);
}
