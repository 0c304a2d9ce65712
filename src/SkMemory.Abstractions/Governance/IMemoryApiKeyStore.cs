namespace SkMemory;

/// <summary>
/// API keys for the servers (MCP over HTTP, the Inspector): each maps a bearer secret to one caller (tenant, actor,
/// roles, teams, subjects it acts for) and the scope kinds it may touch. Only a hash of the secret is kept; the secret is
/// shown once, when the key is created. Get it with <c>store.GetService(typeof(IMemoryApiKeyStore))</c>.
/// </summary>
public interface IMemoryApiKeyStore
{
    /// <summary>Creates a key; the returned secret is never stored and cannot be shown again.</summary>
    /// <exception cref="MemoryValidationException">The request is invalid (for example it asks for the store owner role).</exception>
    Task<MemoryApiKeyIssue> CreateAsync(MemoryApiKeyRequest request, CancellationToken cancellationToken = default);

    /// <summary>The live key a presented secret belongs to, or null when it is malformed, unknown or revoked; records its use.</summary>
    Task<MemoryApiKey?> AuthenticateAsync(string presentedSecret, CancellationToken cancellationToken = default);

    /// <summary>Gets a key (revoked or not) by its public id, or null.</summary>
    Task<MemoryApiKey?> GetAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>Lists the keys (revoked ones included) of a tenant, or of every tenant when null, newest first.</summary>
    Task<IReadOnlyList<MemoryApiKey>> ListAsync(string? tenant = null, CancellationToken cancellationToken = default);

    /// <summary>Revokes a key; returns false when no live key has that id.</summary>
    Task<bool> RevokeAsync(string keyId, CancellationToken cancellationToken = default);
}
