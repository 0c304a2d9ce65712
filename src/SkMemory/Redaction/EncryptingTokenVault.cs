namespace SkMemory.Redaction;

/// <summary>A vault that seals values with <see cref="VaultCipher"/> before the store's vault keeps them, and opens them on read.</summary>
internal sealed class EncryptingTokenVault(IMemoryTokenVault inner, VaultCipher cipher) : IMemoryTokenVault
{
    public Task<string> TokenizeAsync(string tenant, string kind, string? subject, string value, CancellationToken cancellationToken = default) =>
        inner.TokenizeAsync(tenant, kind, subject, cipher.Seal(tenant, kind, value), cancellationToken);

    public async Task<MemoryVaultEntry?> GetAsync(string tenant, string token, CancellationToken cancellationToken = default) =>
        await inner.GetAsync(tenant, token, cancellationToken).ConfigureAwait(false) is { } entry
            ? entry with { Value = cipher.Open(entry.Tenant, entry.Kind, entry.Value) }
            : null;

    public Task<bool> DeleteAsync(string tenant, string token, CancellationToken cancellationToken = default) => inner.DeleteAsync(tenant, token, cancellationToken);

    public Task RecordRevealAsync(MemoryVaultReveal reveal, CancellationToken cancellationToken = default) => inner.RecordRevealAsync(reveal, cancellationToken);

    public Task<IReadOnlyList<MemoryVaultReveal>> GetRevealsAsync(string tenant, string token, CancellationToken cancellationToken = default) =>
        inner.GetRevealsAsync(tenant, token, cancellationToken);
}
