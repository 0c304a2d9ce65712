namespace SkMemory;

/// <summary>
/// Links between memories in a canonical store and their copies in an external system (for example Mem0): the external id
/// and the version last pushed. Kept in the canonical store's own database, beside the log, so a replica can always be
/// checked and repaired from the canonical side. Get it with <c>store.GetService(typeof(IMemoryExternalLinks))</c>.
/// </summary>
public interface IMemoryExternalLinks
{
    /// <summary>Gets the link of one memory to one system, or null when the memory was never pushed there.</summary>
    Task<MemoryExternalLink?> GetAsync(string system, string tenant, Guid memoryId, CancellationToken cancellationToken = default);

    /// <summary>Gets the links whose external ids are among <paramref name="externalIds"/>.</summary>
    Task<IReadOnlyList<MemoryExternalLink>> FindAsync(string system, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken = default);

    /// <summary>Lists every link of a tenant to a system.</summary>
    Task<IReadOnlyList<MemoryExternalLink>> ListAsync(string system, string tenant, CancellationToken cancellationToken = default);

    /// <summary>Records that <paramref name="version"/> of a memory now stands in the system under <paramref name="externalId"/>; clears the last error.</summary>
    Task SetSyncedAsync(string system, string tenant, Guid memoryId, string? externalId, long version, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Records that pushing a memory failed, keeping the external id and version already recorded.</summary>
    Task SetFailedAsync(string system, string tenant, Guid memoryId, string error, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Removes the links of memories (after they were purged); returns how many were removed.</summary>
    Task<int> RemoveAsync(string system, string tenant, IReadOnlyCollection<Guid> memoryIds, CancellationToken cancellationToken = default);
}
