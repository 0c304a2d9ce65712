namespace SkMemory.Governance.Retention;

/// <summary>
/// Lists the tenants a store holds, so a sweep of "all tenants" knows where to go. The canonical stores provide it through
/// <see cref="IMemoryStore.GetService"/>; the contract itself has no tenant listing.
/// </summary>
internal sealed class MemoryTenantCatalog
{
    private readonly Func<CancellationToken, Task<IReadOnlyList<string>>> _listTenants;

    /// <summary>Initializes a new instance of the <see cref="MemoryTenantCatalog"/> class.</summary>
    /// <param name="listTenants">Reads the store's tenants.</param>
    public MemoryTenantCatalog(Func<CancellationToken, Task<IReadOnlyList<string>>> listTenants)
    {
        _listTenants = listTenants;
    }

    /// <summary>Lists the tenants with at least one event.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The tenants, ordinal order.</returns>
    public async Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken cancellationToken)
    {
        var tenants = await _listTenants(cancellationToken).ConfigureAwait(false);
        return tenants.Order(StringComparer.Ordinal).ToList();
    }
}
