using SkMemory.Governance.Retention;

namespace SkMemory.Storage.Sqlite;

public sealed partial class SqliteMemoryStore
{
    // Consent, legal holds, and the tenant list the retention sweeper walks when told to sweep every tenant.
    partial void AddConsentAndHoldStores(List<object> sideStores)
    {
        sideStores.Add(new SqliteConsentStore(this));
        sideStores.Add(new SqliteLegalHoldStore(this));
        sideStores.Add(new MemoryTenantCatalog(ListTenantsAsync));
    }
}
