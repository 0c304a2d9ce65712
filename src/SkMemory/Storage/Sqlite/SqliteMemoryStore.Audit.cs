namespace SkMemory.Storage.Sqlite;

public sealed partial class SqliteMemoryStore
{
    partial void AddAuditLog(List<object> sideStores) => sideStores.Add(new SqliteAuditLog(this));
}
