namespace SkMemory;

/// <summary>
/// The vault behind <see cref="MemoryRedactionAction.Tokenize"/>: token to value, per tenant, kept beside the memories.
/// Stores provide it through <see cref="IMemoryStore.GetService"/>. It does no access control: reveal through
/// <c>MemoryTokenRevealer</c>, which checks the caller's role and audits every reveal.
/// </summary>
/// <remarks>Thread-safe. Values are stored as given: the redaction layer encrypts them first when a key is configured.</remarks>
public interface IMemoryTokenVault
{
    /// <summary>Stores a value and returns its token; the same value of the same kind in the same tenant gets the same token.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="kind">The kind (<c>[a-z0-9_]+</c>).</param>
    /// <param name="subject">The subject the value belongs to, if known.</param>
    /// <param name="value">The value (plain, or sealed by the redaction layer).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The token, <c>[[tok:&lt;kind&gt;:&lt;id&gt;]]</c>.</returns>
    Task<string> TokenizeAsync(string tenant, string kind, string? subject, string value, CancellationToken cancellationToken = default);

    /// <summary>Gets a token's entry, with no access check and no audit.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The entry, or null.</returns>
    Task<MemoryVaultEntry?> GetAsync(string tenant, string token, CancellationToken cancellationToken = default);

    /// <summary>Deletes a token's entry (the value is gone for good; the token stays unrevealable).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>Whether an entry was deleted.</returns>
    Task<bool> DeleteAsync(string tenant, string token, CancellationToken cancellationToken = default);

    /// <summary>Records a reveal in the reveal audit.</summary>
    /// <param name="reveal">The reveal.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when it is recorded.</returns>
    Task RecordRevealAsync(MemoryVaultReveal reveal, CancellationToken cancellationToken = default);

    /// <summary>Gets the reveals of a token, oldest first.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The reveals.</returns>
    Task<IReadOnlyList<MemoryVaultReveal>> GetRevealsAsync(string tenant, string token, CancellationToken cancellationToken = default);
}
