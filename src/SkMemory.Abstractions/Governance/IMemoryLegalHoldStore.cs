namespace SkMemory;

/// <summary>Legal holds, kept beside the memories. Stores provide it through <see cref="IMemoryStore.GetService"/>.</summary>
public interface IMemoryLegalHoldStore
{
    /// <summary>Places a hold.</summary>
    /// <param name="hold">The hold (<see cref="MemoryLegalHold.ReleasedAt"/> unset).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the hold is stored.</returns>
    Task PlaceAsync(MemoryLegalHold hold, CancellationToken cancellationToken = default);

    /// <summary>Releases an active hold.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The hold's id.</param>
    /// <param name="releasedBy">Who releases it.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The released hold.</returns>
    Task<MemoryLegalHold> ReleaseAsync(string tenant, string id, MemoryActor releasedBy, CancellationToken cancellationToken = default);

    /// <summary>Lists holds of a tenant.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="includeReleased">Whether to include released holds.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The holds.</returns>
    Task<IReadOnlyList<MemoryLegalHold>> ListAsync(string tenant, bool includeReleased = false, CancellationToken cancellationToken = default);
}
