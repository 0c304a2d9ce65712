namespace SkMemory.Storage.Sqlite;

/// <content>The servers' API keys (<see cref="IMemoryApiKeyStore"/>).</content>
public sealed partial class SqliteMemoryStore
{
    partial void AddApiKeys(List<object> sideStores) => sideStores.Add(new SqliteApiKeyStore(this));
}
