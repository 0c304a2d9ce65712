namespace SkMemory;

/// <summary>
/// Consent as data: the current consent per subject and scope kind, and every change to it. Stores provide it through
/// <see cref="IMemoryStore.GetService"/>; the governed store reads it on every write and the store filters reads by it.
/// </summary>
public interface IMemoryConsentStore
{
    /// <summary>Records a grant or a revocation; it replaces the current consent and is appended to the history.</summary>
    /// <param name="consent">The new consent.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the change is stored.</returns>
    Task SetAsync(MemoryConsent consent, CancellationToken cancellationToken = default);

    /// <summary>Gets the current consent of a subject for a scope kind.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="subject">The subject.</param>
    /// <param name="scope">The scope kind.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The consent, or <see langword="null"/> if the subject never decided.</returns>
    Task<MemoryConsent?> GetAsync(string tenant, string subject, MemoryScopeKind scope, CancellationToken cancellationToken = default);

    /// <summary>Lists current consents of a tenant, optionally of one subject.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="subject">The subject, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The consents.</returns>
    Task<IReadOnlyList<MemoryConsent>> ListAsync(string tenant, string? subject = null, CancellationToken cancellationToken = default);

    /// <summary>Gets every change of a subject's consents, oldest first.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="subject">The subject.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The changes.</returns>
    Task<IReadOnlyList<MemoryConsent>> GetHistoryAsync(string tenant, string subject, CancellationToken cancellationToken = default);
}
