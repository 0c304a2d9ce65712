using SkMemory.Governance.Retention;

namespace SkMemory.Storage.Postgres;

public sealed partial class PostgresMemoryStore
{
    // Consent, legal holds, and the tenant list the retention sweeper walks when told to sweep every tenant.
    partial void AddConsentAndHoldStores(List<object> sideStores)
    {
        sideStores.Add(new PostgresConsentStore(_dataSource, _names, Options.TimeProvider));
        sideStores.Add(new PostgresLegalHoldStore(_dataSource, _names, Options.TimeProvider));
        sideStores.Add(new MemoryTenantCatalog(ListTenantsAsync));
    }
}
