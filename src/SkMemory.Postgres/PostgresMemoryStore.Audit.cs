namespace SkMemory.Storage.Postgres;

public sealed partial class PostgresMemoryStore
{
    partial void AddAuditLog(List<object> sideStores) => sideStores.Add(new PostgresAuditLog(_dataSource, _names));
}
